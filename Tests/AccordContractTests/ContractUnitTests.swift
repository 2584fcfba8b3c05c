import AccordContract
import AccordSpec
import Foundation
import Testing

@Suite struct ScenarioFormatTests {
    @Test func badScenarioFilesGiveLocatedDiagnostics() {
        let yaml = """
            scenario: broken
            steps:
              - request:
                  method: FETCH
                  path: v1/todos
                  bodyy: {}
                response:
                  status: 999
              - capture: {token: "nowhere"}
            """
        var log = DiagnosticLog()
        _ = ScenarioLoader.load(yaml, file: "broken.yaml", into: &log)
        let lines = log.all.map(\.description)
        #expect(lines.contains { $0.hasPrefix("broken.yaml:6:7: error: unknown key 'bodyy'") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("broken.yaml:4:15: error: 'FETCH' is not an HTTP method") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("broken.yaml:5:13: error: a request path starts with '/'") }, "\(lines)")
        #expect(
            lines.contains { $0.hasPrefix("broken.yaml:8:15: error: a response needs a 'status' between 100 and 599") },
            "\(lines)")
        #expect(lines.contains { $0.contains("a step needs a 'request' and a 'response'") }, "\(lines)")
    }

    @Test func variablesSubstituteKeepingJSONTypes() throws {
        var variables = Variables()
        variables["id"] = SpecNode(.string("abc"), at: SourceLocation(file: "t", line: 1, column: 1))
        variables["n"] = SpecNode(.int(3), at: SourceLocation(file: "t", line: 1, column: 1))
        #expect(try variables.substitute("/v1/todos/${id}?x=${n}") == "/v1/todos/abc?x=3")
        let body = try SpecParser.parse(#"{"a": "${n}", "b": "n=${n}"}"#, file: "t")
        #expect(try variables.substitute(body).jsonText == #"{"a":3,"b":"n=3"}"#)
        #expect(throws: Variables.Undefined.self) { try variables.substitute("${missing}") }
    }

    @Test func exchangeLintChecksRecordingsAgainstTheSpec() throws {
        let yaml = """
            scenario: wrong
            steps:
              - request:
                  method: GET
                  path: /v1/todos/${todo_id}
                response:
                  status: 418
              - request:
                  method: GET
                  path: /v1/me
                response:
                  status: 401
                  headers: {Content-Type: application/problem+json}
                  body: {type: "https://todo-agent.app/errors/x", title: T, status: 401, detail: d, code: NOT_A_CODE, \
                  request_id: r}
              - request:
                  method: GET
                  path: /v1/me
                response:
                  status: 200
                  body: {id: 42, phone: "+15555550100"}
            """
        let scenario = try Repo.scenario(yaml: yaml, file: "wrong.yaml")
        var log = DiagnosticLog()
        ExchangeLint.check([scenario], document: try Repo.document(), into: &log)
        let lines = log.all.map(\.description)
        #expect(!lines.contains { $0.contains("is not one of the codes") }, "an unknown code is said once")
        #expect(
            lines.contains(
                "wrong.yaml:4:7: error: variable '${todo_id}' is used before any capture or 'variables' entry sets it"),
            "\(lines)")
        #expect(
            lines.contains { $0.hasPrefix("wrong.yaml:7:7: error: status 418 is not declared for getTodo") }, "\(lines)"
        )
        #expect(
            lines.contains("wrong.yaml:14:95: error: unknown error code 'NOT_A_CODE' (not in the catalog)"), "\(lines)")
        #expect(
            lines.contains("wrong.yaml:20:18: error: recorded response: /id: expected string (uuid), got integer"),
            "\(lines)")
        #expect(
            lines.contains("wrong.yaml:20:13: error: recorded response: /created_at: missing required field"),
            "\(lines)")
    }

    @Test func providerStatesAreCheckedAgainstTheSpec() throws {
        let scenario = try Repo.scenario(
            yaml: """
                scenario: states
                state: reset
                steps:
                  - state: sms provider slow
                  - request: {method: GET, path: /healthz}
                    response: {status: 200, body: {status: ok}}
                """, file: "states.yaml")
        var log = DiagnosticLog()
        ExchangeLint.check([scenario], document: try Repo.document(), into: &log)
        let lines = log.all.map(\.description)
        #expect(lines.count == 1, "\(lines)")
        #expect(
            lines.first?.hasPrefix("states.yaml:4:5: error: 'sms provider slow' is not a provider state of the spec")
                == true, "\(lines)")
    }

    @Test func committedExchangesLintCleanAndCoverEverything() throws {
        let document = try Repo.document()
        let scenarios = try Repo.scenarios()
        var log = DiagnosticLog()
        ExchangeLint.check(scenarios, document: document, into: &log)
        #expect(!log.hasErrors, "\(log.errors)")
        let coverage = Coverage(document: document, scenarios: scenarios)
        #expect(coverage.isComplete, "\(coverage.table())")
        #expect(coverage.operationsCovered == document.operations.count)
        #expect(coverage.codesCovered == document.errorCatalog?.entries.count)
    }

    @Test func coverageSaysWhatIsMissing() throws {
        let scenario = try Repo.scenario(
            yaml: """
                scenario: tiny
                steps:
                  - request: {method: GET, path: /healthz}
                    response: {status: 200, body: {status: ok}}
                """)
        let coverage = Coverage(document: try Repo.document(), scenarios: [scenario])
        #expect(!coverage.isComplete)
        #expect(coverage.operationsCovered == 1)
        let table = coverage.table()
        #expect(table.contains("✓ 200 (1)"))
        #expect(table.contains("✗ AUTH_REQUIRED"))
        #expect(table.contains("operations 1/18"))
    }

    @Test func schemaValidatorMessages() throws {
        let document = try Repo.document()
        let validator = SchemaValidator(document: document)
        let todo = try #require(document.namedSchemas.first { $0.name == "Todo" }?.schema)
        let value = try SpecParser.parse(
            """
            {"id": "nope", "title": 7, "notes": null, "completed": "yes", "due_at": 1764579600, "completed_at": null,
             "created_at": "2026-11-27T20:00:00Z"}
            """, file: "t")
        let messages = validator.validate(value, against: todo).map(\.description)
        #expect(messages.contains("/id: expected string (uuid), got \"nope\""), "\(messages)")
        #expect(messages.contains("/title: expected string, got integer"))
        #expect(messages.contains("/completed: expected boolean, got string"))
        #expect(messages.contains("/due_at: expected string (date-time) or null, got integer"))
        #expect(messages.contains("/updated_at: missing required field"))
    }

    @Test func junitEscapesAndCounts() {
        let result = ScenarioResult(
            scenario: "s<1>", file: "f.yaml",
            steps: [
                StepResult(number: 1, name: nil, label: "GET /a → 200", outcome: .passed),
                StepResult(
                    number: 2, name: "two", label: "GET /b → 200",
                    outcome: .failed(["/x: expected \"a\" & got <b>"])),
                StepResult(number: 3, name: nil, label: "GET /c → 200", outcome: .notRun),
            ], seconds: 0.5)
        let xml = Report.junit([result], suite: "accord verify")
        #expect(xml.contains(#"tests="3" failures="1" skipped="1""#))
        #expect(xml.contains("&quot;a&quot; &amp; got &lt;b&gt;"))
        #expect(xml.contains(#"name="s&lt;1&gt;""#))
    }
}

/// The generated client with every recorded exchange (through the generated replay tool).
@Suite struct ClientReplayTests {
    static let tool = Repo.path(".build/debug/TodoAgentClientReplay")

    @Test func everyCommittedExchangeGoesThroughTheGeneratedClient() throws {
        let outcome = try ClientReplay(document: try Repo.document()).run(try Repo.scenarios(), tool: Self.tool)
        let failures = outcome.results.flatMap(\.failureLines)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(outcome.checked >= 140, "most recorded steps have a typed form")
    }

    @Test func clientDifferencesAreReported() throws {
        let scenario = try Repo.scenario(
            yaml: """
                scenario: client-differences
                steps:
                  - name: an undeclared query member the client cannot send
                    request:
                      method: GET
                      path: /v1/todos
                      query: {limit: 2, debug: "1"}
                      headers: {Authorization: Bearer t}
                    response:
                      status: 200
                      headers: {Content-Type: application/json}
                      body: {items: [], next_cursor: null}
                  - name: a body the client cannot decode
                    request:
                      method: GET
                      path: /v1/me
                      headers: {Authorization: Bearer t}
                    response:
                      status: 200
                      headers: {Content-Type: application/json}
                      body: {id: "6623133e-f158-4767-b57b-c95328aae405", created_at: "2026-11-27T20:56:58.621Z"}
                  - name: an error code the client must surface
                    request:
                      method: GET
                      path: /v1/todos/6623133e-f158-4767-b57b-c95328aae405
                      headers: {Authorization: Bearer t}
                    response:
                      status: 404
                      headers: {Content-Type: application/problem+json}
                      body: {type: "https://todo-agent.app/errors/todo-not-found", title: Not found, status: 404, \
                      detail: d, code: TODO_NOT_FOUND, request_id: r}
                  - name: not expressible, an id that is not a UUID
                    request:
                      method: GET
                      path: /v1/todos/not-a-uuid
                      headers: {Authorization: Bearer t}
                    response:
                      status: 404
                      headers: {Content-Type: application/problem+json}
                      body: {type: "https://todo-agent.app/errors/todo-not-found", title: Not found, status: 404, \
                      detail: d, code: TODO_NOT_FOUND, request_id: r}
                """)
        let outcome = try ClientReplay(document: try Repo.document()).run([scenario], tool: Self.tool)
        let failures = outcome.results.flatMap(\.failureLines)
        #expect(
            failures.contains("client-differences step 1: client request: query limit=2, recorded debug=1&limit=2"),
            "\(failures)")
        #expect(
            failures.contains {
                $0.hasPrefix("client-differences step 2: the client failed on the recorded 200 response:")
            }, "\(failures)")
        #expect(failures.count == 2, "step 3 decodes to TODO_NOT_FOUND: \(failures)")
        #expect(
            outcome.notExpressible.contains {
                $0.hasPrefix("client-differences step 4: path parameter todo_id \"not-a-uuid\"")
            },
            "\(outcome.notExpressible)")
    }
}
