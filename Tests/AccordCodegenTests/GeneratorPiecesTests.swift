@testable import AccordCodegen
import AccordSpec
import Foundation
import Testing

/// Files are rendered in pieces side by side and joined; the models of a large spec in several
/// slices. However many slices, the files must be the same bytes.
@Suite struct GeneratorPiecesTests {
    @Test(arguments: ["library-loans.yaml", "shared-enums.yaml"])
    func modelsInAnyNumberOfSlicesJoinIntoTheSameFiles(_ fixture: String) throws {
        let docs = try SpecDocuments.load(path: GoldenTests.fixtures.appendingPathComponent(fixture).path)
        let document = try #require(DocumentReader.read(docs).document)
        let configuration = GeneratorConfiguration(specPath: fixture, baseName: "Pieces")
        func files(slices: Int) -> [GeneratedFile] {
            var options = GeneratorOptions()
            options.modelSlices = slices
            return Generator.generate(document, configuration: configuration, options: options).files
        }
        let whole = files(slices: 1)
        let models = try #require(whole.first { $0.path.hasSuffix("/Models.swift") })
        #expect(models.contents.components(separatedBy: "\npublic ").count > 4, "too few types to slice")
        for slices in [2, 3, 7, 1000] {
            #expect(files(slices: slices) == whole, "\(slices) slices")
        }
    }
}
