import AccordContract
import AccordSpec
import Foundation
import Logging
import Testing

/// Recording and HAR import, on real traffic with app-server: record, replay, pass.
@Suite struct RecordingTests {
    /// A session a client might run: provider state, sign-in, create, read, list, update.
    private func session(_ send: (WireRequest) async throws -> WireResponse) async throws {
        let json = [(name: "Content-Type", value: "application/json")]
        func post(
            _ path: String, _ body: String, _ extra: [(name: String, value: String)] = []
        ) async throws -> WireResponse {
            try await send(WireRequest(method: "POST", target: path, headers: json + extra, body: Data(body.utf8)))
        }
        _ = try await post("/_contract/state", #"{"state":"reset"}"#)
        _ = try await post("/v1/auth/otp/start", #"{"phone":"+15555550100"}"#)
        let pair = try await post("/v1/auth/otp/verify", #"{"phone":"+15555550100","code":"123456"}"#)
        let token = try #require(
            (try JSONSerialization.jsonObject(with: pair.body) as? [String: Any])?["access_token"] as? String)
        let auth = [(name: "Authorization", value: "Bearer \(token)")]
        let created = try await post("/v1/todos", #"{"title":"Recorded","due_at":"2026-12-01T09:00:00Z"}"#, auth)
        #expect(created.status == 201)
        let id = try #require(
            (try JSONSerialization.jsonObject(with: created.body) as? [String: Any])?["id"] as? String)
        _ = try await send(WireRequest(method: "GET", target: "/v1/todos/\(id)", headers: auth, body: nil))
        _ = try await send(WireRequest(method: "GET", target: "/v1/todos?limit=5", headers: auth, body: nil))
        _ = try await send(
            WireRequest(
                method: "PATCH", target: "/v1/todos/\(id)", headers: json + auth, body: Data(#"{"due_at":null}"#.utf8)))
    }

    private func writer(keepSecrets: Bool) -> ScenarioWriter {
        var options = ScenarioWriter.Options()
        options.keepSecrets = keepSecrets
        return ScenarioWriter(options: options)
    }

    @Test func recordingProxySessionReplaysAndPasses() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("accord-record-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/recorded.yaml"
        try await withContractServer { upstream in
            let proxy = RecordingProxy(
                upstream: upstream, outputFile: file, scenarioName: "recorded", writer: writer(keepSecrets: true))
            let port = try ServerProcess.freePort()
            var logger = Logger(label: "record-test")
            logger.logLevel = .critical
            let running = Task { try await proxy.run(port: port, logger: logger) }
            let client = LiveServer(baseURL: "http://127.0.0.1:\(port)")
            _ = await client.waitUntilAnswering(within: .seconds(5))
            try await session { try await client.send($0) }
            await client.shutdown()
            running.cancel()

            let text = try String(contentsOfFile: file, encoding: .utf8)
            #expect(text.contains("- state: reset"))
            #expect(text.contains("Authorization: \"Bearer ${access_token}\""), "\(text)")
            #expect(text.contains("path: \"/v1/todos/${todo_id}\""), "\(text)")
            #expect(text.contains("access_token: body /access_token"))
            #expect(text.contains("Location: \"/v1/todos/${todo_id}\""), "\(text)")
            let scenario = try Repo.scenario(yaml: text, file: file)
            var log = DiagnosticLog()
            ExchangeLint.check([scenario], document: try Repo.document(), into: &log)
            #expect(!log.hasErrors, "\(log.all)")
            let result = await Replayer(document: try Repo.document()).run(scenario, baseURL: upstream)
            #expect(result.passed, "\(result.failureLines)")
        }
    }

    @Test func secretsAreRedactedByDefault() async throws {
        var exchanges: [(WireRequest, WireResponse)] = []
        try await withContractServer { upstream in
            let server = LiveServer(baseURL: upstream)
            try await session { request in
                let response = try await server.send(request)
                exchanges.append((request, response))
                return response
            }
            await server.shutdown()
        }
        let text = writer(keepSecrets: false).render(name: "redacted", description: nil, exchanges: exchanges)
        #expect(text.contains("code: \"<redacted>\""), "\(text)")
        #expect(text.contains("access_token: \"<redacted>\""))
        #expect(text.contains("refresh_token: \"<redacted>\""))
        #expect(!text.contains("123456"))
        #expect(!text.contains("eyJ"), "no JWT may remain")
        #expect(text.contains("\"/refresh_token\": type"), "unused per-run values are matched by type: \(text)")
    }

    @Test func harFromRealTrafficImportsAndReplays() async throws {
        try await withContractServer { upstream in
            let server = LiveServer(baseURL: upstream)
            var entries: [[String: Any]] = []
            try await session { request in
                let response = try await server.send(request)
                var requestHeaders = request.headers.map { ["name": $0.name, "value": $0.value] }
                requestHeaders.append(["name": ":authority", "value": "api.todo-agent.test"])  // HTTP/2 export
                var content: [String: Any] = [
                    "size": response.body.count, "mimeType": response.header("Content-Type") ?? "",
                ]
                // Safari exports some bodies base64-encoded.
                if request.method == "GET" {
                    content["text"] = response.body.base64EncodedString()
                    content["encoding"] = "base64"
                } else {
                    content["text"] = String(decoding: response.body, as: UTF8.self)
                }
                var harRequest: [String: Any] = [
                    "method": request.method, "url": "https://api.todo-agent.test/app" + request.target,
                    "httpVersion": "HTTP/2",
                    "headers": requestHeaders, "queryString": [], "cookies": [], "headersSize": -1,
                    "bodySize": request.body?.count ?? 0,
                ]
                if let body = request.body {
                    harRequest["postData"] = [
                        "mimeType": "application/json", "text": String(decoding: body, as: UTF8.self),
                    ]
                }
                entries.append([
                    "startedDateTime": "2026-11-27T20:00:00.000Z", "time": 12,
                    "request": harRequest,
                    "response": [
                        "status": response.status, "statusText": "", "httpVersion": "HTTP/2", "cookies": [],
                        "headers": response.headers.map { ["name": $0.name, "value": $0.value] },
                        "content": content, "redirectURL": "", "headersSize": -1, "bodySize": response.body.count,
                    ],
                    "cache": [:], "timings": ["send": 0, "wait": 10, "receive": 2],
                ])
                return response
            }
            // Traffic to another host is not the API's and is left out.
            entries.append([
                "request": ["method": "GET", "url": "https://cdn.example.com/logo.png", "headers": []],
                "response": ["status": 200, "headers": [], "content": ["mimeType": "image/png", "text": ""]],
            ])
            await server.shutdown()
            let har: [String: Any] = [
                "log": ["version": "1.2", "creator": ["name": "Safari", "version": "18"], "entries": entries]
            ]
            let data = try JSONSerialization.data(withJSONObject: har)

            let exchanges = try HARImport.exchanges(
                data, file: "session.har", baseURL: "https://api.todo-agent.test/app")
            #expect(exchanges.count == 7, "the session's seven, not the CDN's")
            #expect(!exchanges.contains { $0.0.headers.contains { $0.name.hasPrefix(":") } })
            // Secrets redacted as by default; the demo account's fixed code is a public value
            // (accord.yaml's publicValues).
            var options = ScenarioWriter.Options()
            options.publicValues = ["123456"]
            let text = ScenarioWriter(options: options).render(name: "imported", description: nil, exchanges: exchanges)
            #expect(text.contains("code: \"123456\""), "\(text)")
            #expect(!text.contains("eyJ"), "no JWT may remain")
            let scenario = try Repo.scenario(yaml: text, file: "imported.yaml")
            let result = await Replayer(document: try Repo.document()).run(scenario, baseURL: upstream)
            #expect(
                result.passed, "a captured demo session replays without hand edits: \(result.failureLines)\n\(text)")
        }
    }

    @Test func writerKeepsRepeatedQueryParametersAndScalarsReadable() throws {
        let request = WireRequest(
            method: "GET", target: "/v1/todos?status=open&tag=a&tag=b%20c", headers: [("accept", "*/*")], body: nil)
        let response = WireResponse(
            status: 200, headers: [("content-type", "application/json")],
            body: Data(#"{"items":[],"next_cursor":null}"#.utf8))
        let text = ScenarioWriter().render(name: "q", description: nil, exchanges: [(request, response)])
        #expect(text.contains("        tag: [a, b c]"), "\(text)")
        #expect(text.contains("        status: open"))
        #expect(!text.contains("accept"), "transport headers are dropped")
        #expect(text.contains("Content-Type: application/json"), "response headers keep their usual names")
        let scenario = try Repo.scenario(yaml: text)
        #expect(
            scenario.steps.first?.request?.query.map { "\($0.name)=\($0.value)" } == [
                "status=open", "tag=a", "tag=b c",
            ])
    }

    @Test func harThatIsNotHARIsRefusedClearly() {
        #expect(throws: HARImport.Failure.self) {
            try HARImport.exchanges(Data(#"{"entries": []}"#.utf8), file: "x.har")
        }
        #expect(throws: HARImport.Failure.self) {
            try HARImport.exchanges(Data(#"{"log": {"entries": [{"request": {}}]}}"#.utf8), file: "x.har")
        }
    }
}
