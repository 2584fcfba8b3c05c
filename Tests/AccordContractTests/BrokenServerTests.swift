import AccordContract
import AccordSpec
import Foundation
import Testing

/// The verifier against the real server (everything passes) and against deliberately broken
/// servers (each break is caught with its precise message).
@Suite struct VerifyAgainstServersTests {
    @Test func postgresRunsWhereItIsRequired() {
        if ProcessInfo.processInfo.environment["ACCORD_REQUIRE_POSTGRES"] == "1" {
            #expect(
                ContractDatabase.available.contains(.postgres), "scripts/test must provide TEST_CONTRACT_DATABASE_URL")
        }
    }

    @Test(arguments: ContractDatabase.available)
    func everyCommittedScenarioPassesAgainstAppServer(_ database: ContractDatabase) async throws {
        let replayer = try Repo.replayer()
        let scenarios = try Repo.scenarios()
        #expect(scenarios.count >= 12)
        try await withContractServer(database) { url in
            for scenario in scenarios {
                let result = await replayer.run(scenario, baseURL: url)
                #expect(result.passed, "\(database): \(result.failureLines.joined(separator: "\n"))")
            }
        }
    }

    /// Replays one committed scenario through a broken variant and returns the failure lines.
    private func failures(
        _ scenarioName: String, request: BrokenServer.RequestRewrite? = nil,
        response: BrokenServer.ResponseRewrite? = nil
    ) async throws -> [String] {
        let replayer = try Repo.replayer()
        let scenario = try Repo.scenario(scenarioName)
        var lines: [String] = []
        try await withContractServer { upstream in
            let broken = try await BrokenServer.start(
                upstream: upstream, request: request ?? { request, _ in request },
                response: response ?? { $1 })
            let result = await replayer.run(scenario, baseURL: broken.url)
            broken.stop()
            #expect(!result.passed)
            lines = result.failureLines
        }
        return lines
    }

    @Test func missingRequiredField() async throws {
        let lines = try await failures(
            "todos-crud",
            response: { request, response in
                guard request.target.hasPrefix("/v1/todos") else { return response }
                return Surgery.rewriteJSON(response) { $0["title"] = nil }
            })
        #expect(lines.contains("todos-crud step 4: /title: missing required field"), "\(lines)")
    }

    @Test func extraField() async throws {
        let lines = try await failures(
            "todos-crud",
            response: { request, response in
                guard request.target.hasPrefix("/v1/todos"), request.method == "POST" else { return response }
                return Surgery.rewriteJSON(response) { $0["user_id"] = "9d2f7f42-62da-4bfd-abdc-12933ddc418d" }
            })
        #expect(lines.contains("todos-crud step 4: /user_id: unexpected field (not in the recording)"), "\(lines)")
    }

    @Test func wrongTypeOrFormat() async throws {
        let lines = try await failures(
            "todos-crud",
            response: { request, response in
                guard request.target.hasPrefix("/v1/todos") else { return response }
                return Surgery.rewriteJSON(response) { todo in
                    if todo["due_at"] is String { todo["due_at"] = 1_764_579_600 }
                    if todo["created_at"] is String, todo["title"] as? String == "Buy milk" {
                        todo["created_at"] = "27/11/2026"
                    }
                }
            })
        #expect(
            lines.contains("todos-crud step 4: /created_at: expected string (date-time), got \"27/11/2026\""),
            "\(lines)")
        let typeLines = try await failures(
            "todos-crud",
            response: { request, response in
                guard request.target.hasPrefix("/v1/todos") else { return response }
                return Surgery.rewriteJSON(response) { todo in
                    if todo["due_at"] is String { todo["due_at"] = 1_764_579_600 }
                }
            })
        #expect(
            typeLines.contains("todos-crud step 5: /due_at: expected string (date-time) or null, got integer"),
            "\(typeLines)")
    }

    @Test func wrongStatus() async throws {
        let lines = try await failures(
            "todos-crud",
            response: { request, response in
                guard request.method == "POST", request.target == "/v1/todos", response.status == 201 else {
                    return response
                }
                var changed = response
                changed.status = 200
                return changed
            })
        #expect(lines.contains("todos-crud step 4: expected status 201, got 200"), "\(lines)")
        #expect(lines.contains("todos-crud step 4: status 200 is not declared for createTodo"), "\(lines)")
    }

    @Test func errorThatIsNotAProblem() async throws {
        let lines = try await failures(
            "auth-refused-tokens",
            response: { _, response in
                response.status >= 400
                    ? Surgery.replacingHeader(response, "Content-Type", "application/json") : response
            })
        #expect(
            lines.contains(
                "auth-refused-tokens step 2: error response is not application/problem+json (Content-Type: "
                    + "application/json)"
            ),
            "\(lines)")
    }

    @Test func unknownErrorCode() async throws {
        let lines = try await failures(
            "auth-refused-tokens",
            response: { _, response in
                Surgery.rewriteJSON(response) {
                    if $0["code"] as? String == "AUTH_REQUIRED" { $0["code"] = "LOGIN_NEEDED" }
                }
            })
        #expect(
            lines.contains(
                "auth-refused-tokens step 2: /code: unknown error code \"LOGIN_NEEDED\" (not in the catalog)"),
            "\(lines)")
    }

    @Test func xPhoneAccepted() async throws {
        let lines = try await failures(
            "auth-refused-tokens",
            request: { request, upstream in
                guard let phone = request.header("x-phone"), request.header("Authorization") == nil else {
                    return request
                }
                var changed = request
                changed.headers.append(
                    ("Authorization", "Bearer " + (try await Surgery.token(for: phone, via: upstream))))
                return changed
            })
        #expect(
            lines.contains(
                "auth-refused-tokens step 3: a request with only x-phone was accepted (status 200); x-phone never "
                    + "identifies a caller, "
                    + "expected 401 AUTH_REQUIRED"),
            "\(lines)")
    }

    @Test func protectedRouteWithoutToken() async throws {
        let lines = try await failures(
            "auth-refused-tokens",
            request: { request, upstream in
                guard request.target.hasPrefix("/v1/me"), request.header("Authorization") == nil,
                    request.header("x-phone") == nil
                else { return request }
                var changed = request
                changed.headers.append(
                    ("Authorization", "Bearer " + (try await Surgery.token(for: "+15555550101", via: upstream))))
                return changed
            })
        #expect(
            lines.contains(
                "auth-refused-tokens step 2: protected route answered 200 without a token; expected 401 AUTH_REQUIRED"),
            "\(lines)")
    }

    /// The CLI end to end: exit status, summary and JUnit XML against a broken and a sound server.
    @Test func cliExitStatusSummaryAndJUnit() async throws {
        try await withContractServer { upstream in
            let broken = try await BrokenServer.start(
                upstream: upstream,
                response: { request, response in
                    request.target.hasPrefix("/v1/todos")
                        ? Surgery.rewriteJSON(response) { $0["title"] = nil } : response
                })
            defer { broken.stop() }
            let junit = FileManager.default.temporaryDirectory.appendingPathComponent(
                "accord-junit-\(UUID().uuidString).xml"
            ).path
            let (status, output) = try runAccord([
                "verify", "--base-url", broken.url, "--scenario", "todos-crud", "--junit", junit,
            ])
            #expect(status == 1)
            #expect(output.contains("FAIL  todos-crud"), "\(output)")
            #expect(output.contains("todos-crud step 4: /title: missing required field"), "\(output)")
            let xml = try String(contentsOfFile: junit, encoding: .utf8)
            #expect(xml.contains("<failure message=\"/title: missing required field\""), "\(xml)")
            #expect(xml.hasPrefix("<?xml") && xml.hasSuffix("</testsuites>\n"))

            let (okStatus, okOutput) = try runAccord(["verify", "--base-url", upstream, "--scenario", "todos-crud"])
            #expect(okStatus == 0, "\(okOutput)")
            #expect(okOutput.contains("1/1 scenarios passed"))
        }
    }
}

/// Runs the built `accord` in the repository root.
func runAccord(_ arguments: [String]) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Repo.path(".build/debug/accord"))
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: Repo.root)
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
