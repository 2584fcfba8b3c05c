import AccordContract
import AccordSpec
import Foundation
import Testing

/// `accord verify --update` after an intended change: the spec gains a required `priority` on
/// to-dos and the server sends it; the recorded answers are rewritten in place.
@Suite("accord verify --update", .serialized)
struct UpdateTests {
    /// spec/api.yaml with `priority` required on Todo, and a copy of the exchanges, in a fresh folder.
    static func project() throws -> (spec: String, exchanges: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("accord-update-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var spec = try String(contentsOfFile: Repo.path("spec/api.yaml"), encoding: .utf8)
        let required =
            "      required: [id, title, notes, completed, due_at, completed_at, created_at, updated_at]\n"
            + "      properties:\n"
        guard spec.contains(required) else { throw Failure("Todo's required list moved") }
        spec = spec.replacingOccurrences(
            of: required,
            with: required.replacingOccurrences(of: "updated_at]", with: "updated_at, priority]")
                + "        priority: { type: integer, minimum: 0 }\n")
        try spec.write(toFile: dir + "/api.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: Repo.path("spec/exchanges"), toPath: dir + "/exchanges")
        return (dir + "/api.yaml", dir + "/exchanges")
    }

    @Test("failing answers are rewritten with the live ones; what people wrote stays; the result replays green")
    func rewritesInPlace() async throws {
        let (specPath, exchanges) = try Self.project()
        let docs = try SpecDocuments.load(path: specPath)
        let document = try #require(DocumentReader.read(docs).document)
        let (scenarios, log) = ScenarioLoader.loadFolder(exchanges)
        #expect(!log.hasErrors)
        var lint = DiagnosticLog()
        ExchangeLint.check(scenarios, document: document, into: &lint)
        #expect(lint.errors.count >= 20, "the new required member makes the recordings stale: \(lint.errors.count)")

        try await withContractServer { upstream in
            // Today's server with the intended change: every to-do carries a priority.
            let server = try await BrokenServer.start(
                upstream: upstream,
                response: { request, response in
                    guard request.target.hasPrefix("/v1/todos") else { return response }
                    return Surgery.rewriteJSON(response) { todo in if todo["completed"] != nil { todo["priority"] = 0 }
                    }
                })
            defer { server.stop() }
            let live = LiveServer(baseURL: server.url)
            var replayer = Replayer(document: document)
            replayer.keepsExchanges = true
            replayer.continuesAfterFailure = true
            let crud = try #require(scenarios.first { $0.name == "todos-crud" })
            let before = try String(contentsOfFile: crud.file, encoding: .utf8)
            let result = await replayer.run(crud, against: live)
            #expect(!result.passed)
            let outcome = ExchangeUpdate(document: document).update(text: before, scenario: crud, result: result)
            #expect(outcome.refused.isEmpty, "\(outcome.refused)")
            #expect(outcome.changes.contains { $0.contains("/priority added") }, "\(outcome.changes)")

            // What people wrote is still there: the description, captures, matchers, variables, comments.
            for kept in [
                "description:", "capture:", "todo_id: body /id", "match:", "Location: \"/v1/todos/${todo_id}\"",
            ]
            where before.contains(kept) {
                #expect(outcome.text.contains(kept), "lost: \(kept)")
            }
            #expect(outcome.text.components(separatedBy: "priority: 0").count - 1 >= 5, "\(outcome.text)")
            // Only the new member is written: the rewritten file differs from the recording by `priority` lines alone.
            let added = Set(outcome.text.components(separatedBy: "\n")).subtracting(
                before.components(separatedBy: "\n"))
            #expect(added.allSatisfy { $0.trimmingCharacters(in: .whitespaces) == "priority: 0" }, "\(added)")
            // `${variables}` in recorded answers are kept.
            #expect(
                outcome.text.components(separatedBy: "${todo_id}").count
                    == before.components(separatedBy: "${todo_id}").count)

            var loadLog = DiagnosticLog()
            let updated = try #require(ScenarioLoader.load(outcome.text, file: crud.file, into: &loadLog))
            var strict = Replayer(document: document)
            strict.keepsExchanges = false
            let after = await strict.run(updated, against: live)
            #expect(after.passed, "\(after.failureLines)")
        }
    }

    @Test("an answer that breaks the spec is refused, not recorded")
    func refusesSpecBreakingAnswers() async throws {
        let (specPath, exchanges) = try Self.project()
        let document = try #require(DocumentReader.read(try SpecDocuments.load(path: specPath)).document)
        let crud = try #require(ScenarioLoader.loadFolder(exchanges).scenarios.first { $0.name == "todos-crud" })
        try await withContractServer { upstream in
            // The server sends a priority the spec forbids (negative).
            let server = try await BrokenServer.start(
                upstream: upstream,
                response: { request, response in
                    guard request.target.hasPrefix("/v1/todos") else { return response }
                    return Surgery.rewriteJSON(response) { todo in if todo["completed"] != nil { todo["priority"] = -1 }
                    }
                })
            defer { server.stop() }
            var replayer = Replayer(document: document)
            replayer.keepsExchanges = true
            replayer.continuesAfterFailure = true
            let result = await replayer.run(crud, against: LiveServer(baseURL: server.url))
            let text = try String(contentsOfFile: crud.file, encoding: .utf8)
            let outcome = ExchangeUpdate(document: document).update(text: text, scenario: crud, result: result)
            #expect(!outcome.refused.isEmpty)
            #expect(
                outcome.refused.allSatisfy { $0.contains("breaks the spec") && $0.contains("/priority") },
                "\(outcome.refused)")
            #expect(!outcome.text.contains("priority: -1"), "\(outcome.changes)")
        }
    }
}
