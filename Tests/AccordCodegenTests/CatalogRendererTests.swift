import AccordCodegen
import AccordSpec
import Foundation
import Testing

/// The published error catalog: `errors.json` and `Localizable.xcstrings` are written by
/// `JSONEncoder`, so they are valid JSON whatever the messages hold, and stable from run to run.
@Suite struct CatalogRendererTests {
    func docs() throws -> [String: Data] {
        let files = try SecondSpecTests().generate().files
        var out: [String: Data] = [:]
        for file in files where file.path.hasPrefix("docs/") { out[file.path] = Data(file.contents.utf8) }
        return out
    }

    @Test func errorsJSONListsTheCatalogInTheSpecsOrder() throws {
        let data = try #require(try docs()["docs/errors.json"])
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(root["api"] as? String == "Library Loans")
        let errors = try #require(root["errors"] as? [[String: Any]])
        let codes = errors.compactMap { $0["code"] as? String }
        #expect(codes.count == errors.count && !codes.isEmpty)
        #expect(codes.first == "NO_SESSION")
        for entry in errors {
            let code = try #require(entry["code"] as? String)
            let slug = code.lowercased().replacingOccurrences(of: "_", with: "-")
            #expect((entry["type"] as? String)?.hasSuffix(slug) == true)
            #expect(entry["status"] is Int && entry["retryable"] is Bool && entry["operations"] is [String])
        }
    }

    @Test func stringCatalogHasOneKeyPerCode() throws {
        let docs = try docs()
        let data = try #require(docs["docs/Localizable.xcstrings"])
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(root["sourceLanguage"] as? String == "en")
        #expect(root["version"] as? String == "1.0")
        let strings = try #require(root["strings"] as? [String: [String: Any]])
        let errorsData = try #require(docs["docs/errors.json"])
        let errors = try #require(try JSONSerialization.jsonObject(with: errorsData) as? [String: Any])
        let codes = Set(((errors["errors"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String })
        #expect(Set(strings.keys) == Set(codes.map { "error." + $0 }))
        let text = String(decoding: data, as: UTF8.self)
        // Xcode's own layout: sorted keys, `"key" : value`, a final newline.
        #expect(text.hasPrefix("{\n  \"sourceLanguage\" : \"en\",\n  \"strings\" : {\n"))
        #expect(text.hasSuffix("\n}\n"))
    }

    @Test func catalogFilesAreStable() throws {
        #expect(try docs() == docs())
    }
}
