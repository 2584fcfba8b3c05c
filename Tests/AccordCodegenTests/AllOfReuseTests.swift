import AccordCodegen
import AccordSpec
import AccordTestSupport
import Foundation
import Testing

/// A schema that takes another's members through `allOf` uses the nested types the other one
/// declares (`Owner.Status`) instead of declaring copies, unless its own would hide them.
@Suite struct AllOfReuseTests {
    func generate() throws -> [GeneratedFile] {
        let spec = GoldenTests.fixtures.appendingPathComponent("allof-reuse.yaml")
        let (document, log) = DocumentReader.read(try SpecDocuments.load(path: spec.path))
        #expect(!log.hasErrors, "\(log.all)")
        let configuration = GeneratorConfiguration(specPath: "allof-reuse.yaml", baseName: "Walks")
        return Generator.generate(try #require(document), configuration: configuration).files
    }

    /// The declaration of the top-level type `name`, up to its closing brace.
    func declaration(_ name: String, in models: String) throws -> Substring {
        let start = try #require(models.range(of: "public struct \(name):"))
        let end = try #require(models.range(of: "\n}\n", range: start.upperBound..<models.endIndex))
        return models[start.lowerBound..<end.upperBound]
    }

    @Test func membersTakenUnchangedUseTheNestedTypesOfTheirSchema() throws {
        let models = try #require(try generate().first { $0.path.hasSuffix("Models.swift") }).contents
        let walker = try declaration("Walker", in: models)
        #expect(walker.contains("public var status: Owner.Status\n"))
        #expect(walker.contains("public var address: Owner.Address?\n"))
        #expect(walker.contains("public var pets: [Owner.Pet]?\n"))
        #expect(!walker.contains("enum Status") && !walker.contains("struct Address"))
        // Through two levels of allOf: still Owner's.
        let walk = try declaration("Walk", in: models)
        #expect(walk.contains("public var status: Owner.Status\n") && !walk.contains("enum Status"))
        // A redefined member is the schema's own.
        let sitter = try declaration("Sitter", in: models)
        #expect(sitter.contains("public var status: Status\n") && sitter.contains("public enum Status: OpenEnum"))
        #expect(sitter.contains("public var address: Owner.Address?\n"))
        // Keeper's own `Owner` would hide the top-level one: Keeper declares its own copies.
        let keeper = try declaration("Keeper", in: models)
        #expect(keeper.contains("public var status: Status\n") && keeper.contains("public struct Owner:"))
        #expect(!keeper.contains("Owner."))
    }

    @Test func theModelsCompile() throws {
        let root = try writeSwiftSources(try generate(), folderPrefix: "walks")
        defer { try? FileManager.default.removeItem(at: root) }
        let snippet = """
            import WalksClient

            func use() {
                let walk = Walk(status: .active, pets: [.dog], minutes: 30)
                let status: Owner.Status = walk.status
                let keeper = Keeper(status: .away, owner: Keeper.Owner(name: "Ann"))
                let own: Keeper.Status = keeper.status
                _ = (status, own)
            }
            """
        let outcome = try SwiftTypecheck.check(packageRoot: root.path, name: "Walks", snippet: snippet)
        #expect(outcome.compiles, "\(outcome.output)")
    }
}
