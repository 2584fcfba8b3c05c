import AccordCodegen
import AccordSpec
import AccordTestSupport
import Foundation
import Testing

/// An inline enum declared again with the same name and cases is a type alias of the first one
/// (Stripe repeats `tax_behavior` in dozens of schemas), unless the first one's name would be hidden.
@Suite struct SharedEnumTests {
    func generate() throws -> [GeneratedFile] {
        let spec = GoldenTests.fixtures.appendingPathComponent("shared-enums.yaml")
        let (document, log) = DocumentReader.read(try SpecDocuments.load(path: spec.path))
        #expect(!log.hasErrors, "\(log.all)")
        let configuration = GeneratorConfiguration(specPath: "shared-enums.yaml", baseName: "Shop")
        return Generator.generate(try #require(document), configuration: configuration).files
    }

    @Test func copiesAfterTheFirstAreAliases() throws {
        let models = try #require(try generate().first { $0.path.hasSuffix("Models.swift") }).contents
        #expect(models.components(separatedBy: "public enum TaxBehavior: OpenEnum").count == 4)  // Price, Quote, Order
        #expect(models.components(separatedBy: "public typealias TaxBehavior = Price.TaxBehavior").count == 3)
        // Quote's values differ: its own enum, two cases.
        #expect(models.contains("case exclusive, inclusive\n"))
        // Order's own `Price` would hide the top-level one: Order keeps its own enum.
        let order = try #require(models.range(of: "public struct Order:"))
        #expect(!models[order.lowerBound...].contains("typealias TaxBehavior"))
    }

    @Test func theAliasesAreOneTypeAndStayOpen() throws {
        let root = try writeSwiftSources(try generate(), folderPrefix: "shop")
        defer { try? FileManager.default.removeItem(at: root) }
        let main = """
            import Foundation
            import ShopAPI

            let price = Price(taxBehavior: Invoice.TaxBehavior.inclusive)
            let line: Invoice.Line.TaxBehavior = price.taxBehavior
            let order: Order.TaxBehavior = .unspecified
            let decoded = try JSONDecoder().decode(
                [Invoice.TaxBehavior].self, from: Data(#"["exclusive","reverse_charge"]"#.utf8))
            print(line.rawValue, order.rawValue, decoded, decoded.map(\\.rawValue))
            print(String(decoding: try JSONEncoder().encode(decoded), as: UTF8.self))
            """
        let outcome = try SwiftTypecheck.run(packageRoot: root.path, name: "Shop", main: main)
        #expect(outcome.compiles, "\(outcome.output)")
        #expect(
            outcome.output.contains(
                #"inclusive unspecified [exclusive, reverse_charge] ["exclusive", "reverse_charge"]"#),
            "\(outcome.output)")
        #expect(outcome.output.contains(#"["exclusive","reverse_charge"]"#), "\(outcome.output)")
    }
}
