import AccordContract
import AccordSpec
import Foundation
import Testing

@Suite("the unordered matcher")
struct MatcherTests {
    static func scenario(matcher: Bool) throws -> Scenario {
        try Repo.scenario(
            yaml: """
                scenario: two violations
                steps:
                  - request:
                      method: POST
                      path: /v1/todos
                      headers: { Authorization: Bearer t, Content-Type: application/json }
                      body: { title: "  ", notes: "x" }
                    response:
                      status: 422
                      body:
                        type: about:blank
                        title: Validation failed
                        status: 422
                        detail: d
                        request_id: r
                        code: VALIDATION_FAILED
                        errors:
                          - { code: pattern, field: /title, message: m }
                          - { code: max_length, field: /notes, message: m }
                \(matcher ? "    match:\n      /errors: unordered" : "")
                """)
    }

    static func answer(_ errors: String) -> ReleaseTests.Fixed {
        ReleaseTests.Fixed(
            body: #"{"type": "about:blank", "title": "Validation failed", "status": 422, "detail": "d", "#
                + #""code": "VALIDATION_FAILED", "request_id": "r", "errors": \#(errors)}"#, status: 422)
    }

    @Test("the recorded items in another order pass only with `unordered`; a missing item fails either way")
    func unordered() async throws {
        var replayer = Replayer(document: try Repo.document())
        replayer.stateRoute = "/none"
        let swapped =
            #"[{"code": "max_length", "field": "/notes", "message": "x"}, "#
            + #"{"code": "pattern", "field": "/title", "message": "y"}]"#
        let strict = await replayer.run(try Self.scenario(matcher: false), against: Self.answer(swapped))
        #expect(
            strict.failureLines.contains { $0.contains("/errors/0/code: expected \"pattern\", got \"max_length\"") },
            "\(strict.failureLines)")
        let loose = await replayer.run(try Self.scenario(matcher: true), against: Self.answer(swapped))
        #expect(loose.passed, "\(loose.failureLines)")
        let missing =
            #"[{"code": "max_length", "field": "/notes", "message": "x"}, "#
            + #"{"code": "required", "field": "/title", "message": "y"}]"#
        let wrong = await replayer.run(try Self.scenario(matcher: true), against: Self.answer(missing))
        #expect(
            wrong.failureLines.contains { $0.contains("/errors/0: no item matches the recorded") },
            "\(wrong.failureLines)")
    }
}
