import AccordContract
import AccordSpec
import Foundation
import Testing

/// Shipped releases: the policy, the tolerant reader, and `accord verify --releases` as the deploy
/// gate against deliberately changed servers, with synthetic releases beside the real ios 1.0.0.
@Suite("releases", .serialized)
struct ReleaseTests {
    static func manifest(_ version: String, status: ReleaseManifest.Status = .live) -> ReleaseManifest {
        ReleaseManifest(
            app: "ios", version: version, builds: ["1"], status: status, commit: "abc", date: "2026-12-02",
            spec: "api.yaml", exchanges: "exchanges", client: "client", modelsModule: "A", clientModule: "B",
            replayModule: "C", hashes: [:])
    }

    @Test("the policy: minimum, except, warnOnly, retired and in-review")
    func policy() throws {
        let yaml = "ios:\n  minimum: 1.2.0\n  except: [1.3.1]\n  warnOnly: [1.4.0]\n"
        let node = try SpecParser.parse(yaml, file: "accord.yaml")
        let policy = try ReleasePolicy.parse(node)
        #expect(policy.decision(for: Self.manifest("1.1.9")) == .skipped("below the minimum 1.2.0"))
        #expect(policy.decision(for: Self.manifest("1.10.0")) == .blocking)
        #expect(policy.decision(for: Self.manifest("1.3.1")) == .skipped("listed in except"))
        #expect(policy.decision(for: Self.manifest("1.4.0")) == .warnOnly("listed in warnOnly"))
        #expect(policy.decision(for: Self.manifest("1.5.0", status: .retired)) == .skipped("retired"))
        #expect(policy.decision(for: Self.manifest("1.5.0", status: .inReview)) == .warnOnly("in review"))
        let bad = try SpecParser.parse("ios:\n  minimum: latest\n", file: "accord.yaml")
        #expect(
            throws: Diagnostic.error(
                "'minimum' must be a version like 1.2.0, not 'latest'",
                at: SourceLocation(file: "accord.yaml", line: 2, column: 12))
        ) {
            try ReleasePolicy.parse(bad)
        }
    }

    @Test("release.yaml round-trips")
    func manifestRoundTrip() throws {
        let manifest = Self.manifest("2.0.1")
        let parsed = try ReleaseManifest.parse(try SpecParser.parse(manifest.yaml, file: "release.yaml"))
        #expect(parsed == manifest)
    }

    @Test("a frozen package lists each target with its dependencies, in the order given")
    func frozenPackageManifest() {
        let release = Self.manifest("2.0.1")
        let targets: [FrozenPackage.Target] = [
            .init("target", "ARuntime", []), .init("target", "A", ["ARuntime"]),
            .init("executableTarget", "C", ["A"]),
        ]
        let manifest = FrozenPackage.manifest(release, targets: targets)
        #expect(
            manifest.contains(
                """
                    targets: [
                        .target(name: "ARuntime", dependencies: []),
                        .target(name: "A", dependencies: ["ARuntime"]),
                        .executableTarget(name: "C", dependencies: ["A"]),
                    ]
                """))
    }

    /// A server that answers one fixed response.
    struct Fixed: HTTPExchanging {
        var body: String
        var status = 200
        func send(_ request: WireRequest) async throws -> WireResponse {
            WireResponse(
                status: status,
                headers: [("Content-Type", status >= 400 ? "application/problem+json" : "application/json")],
                body: Data(body.utf8))
        }
    }

    @Test("the tolerant reader absorbs extra members, unknown enum values and error codes; the strict one flags them")
    func tolerantReader() async throws {
        let document = try Repo.document()
        let call = try Repo.scenario(
            yaml: """
                scenario: new values
                steps:
                  - request:
                      method: POST
                      path: /v1/calls
                      headers: { Authorization: Bearer t, Content-Type: application/json }
                      body: {}
                    response:
                      status: 202
                      body: { id: call_1, status: registered, created_at: "2026-12-02T10:00:00Z" }
                    match:
                      /status: type
                """)
        let answer = #"{"id": "call_1", "status": "transferred", "created_at": "2026-12-02T10:00:00Z", "mood": "calm"}"#
        var strict = Replayer(document: document)
        strict.stateRoute = "/none"
        let strictResult = await strict.run(call, against: Fixed(body: answer, status: 202))
        #expect(
            strictResult.failureLines.contains { $0.contains("/mood: unexpected field") },
            "\(strictResult.failureLines)")
        #expect(
            strictResult.failureLines.contains { $0.contains("/status: \"transferred\" is not one of") },
            "\(strictResult.failureLines)")
        var tolerant = strict
        tolerant.tolerantReader = true
        let tolerantResult = await tolerant.run(call, against: Fixed(body: answer, status: 202))
        #expect(
            !tolerantResult.failureLines.contains { $0.contains("/mood") || $0.contains("/status") },
            "\(tolerantResult.failureLines)")

        let notFound = try Repo.scenario(
            yaml: """
                scenario: new code
                steps:
                  - request: { method: GET, path: /v1/calls/00000000-0000-0000-0000-000000000001,
                      headers: { Authorization: Bearer t } }
                    response:
                      status: 404
                      body: { type: "https://todo-agent.app/errors/call-not-found", title: Call not found, status: 404 }
                    match:
                      /code: any
                      /type: any
                      /title: any
                """)
        let problem =
            #"{"type": "https://todo-agent.app/errors/call-gone", "title": "Gone", "status": 404, "detail": "x", "#
            + #""code": "CALL_GONE", "request_id": "r"}"#
        let strictCode = await strict.run(notFound, against: Fixed(body: problem, status: 404))
        #expect(
            strictCode.failureLines.contains { $0.contains("unknown error code \"CALL_GONE\"") },
            "\(strictCode.failureLines)")
        let tolerantCode = await tolerant.run(notFound, against: Fixed(body: problem, status: 404))
        #expect(!tolerantCode.failureLines.contains { $0.contains("CALL_GONE") }, "\(tolerantCode.failureLines)")
    }

    // MARK: accord verify --releases

    /// A project folder using the repository's spec and exchanges, with releases: the real ios 1.0.0,
    /// a 0.9.0 below the minimum, and a 1.1.0 whose exchanges expect a `priority` member on to-dos.
    static func project(warnOnly: Bool) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("accord-releases-\(UUID().uuidString)")
            .path
        let releases = dir + "/releases/ios"
        try FileManager.default.createDirectory(atPath: releases, withIntermediateDirectories: true)
        let real = Repo.path("spec/releases/ios/1.0.0")
        for version in ["1.0.0", "0.9.0", "1.1.0", "1.2.0"] {
            try FileManager.default.copyItem(atPath: real, toPath: releases + "/" + version)
            let manifest = releases + "/\(version)/release.yaml"
            let text = try String(contentsOfFile: manifest, encoding: .utf8)
            try text.replacingOccurrences(of: "version: \"1.0.0\"", with: "version: \"\(version)\"")
                .write(toFile: manifest, atomically: true, encoding: .utf8)
        }
        // 1.2.0's spec has an operation today's spec does not: a break no exchange of 1.2.0 covers.
        let legacy = releases + "/1.2.0/api.yaml"
        let legacySpec = try String(contentsOfFile: legacy, encoding: .utf8)
        try legacySpec.replacingOccurrences(
            of: "\npaths:\n",
            with: "\npaths:\n  /v1/legacy:\n    get:\n      operationId: getLegacy\n"
                + "      responses: { '204': { description: Gone. } }\n"
        ).write(toFile: legacy, atomically: true, encoding: .utf8)
        let crud = releases + "/1.1.0/exchanges/todos-crud.yaml"
        let exchanges = try String(contentsOfFile: crud, encoding: .utf8)
        guard let range = exchanges.range(of: "        completed: false\n") else {
            throw Failure("no to-do in todos-crud.yaml")
        }
        try exchanges.replacingCharacters(in: range, with: "        completed: false\n        priority: 1\n")
            .write(toFile: crud, atomically: true, encoding: .utf8)
        let policy = "releases:\n  ios:\n    minimum: 1.0.0\n" + (warnOnly ? "    warnOnly: [1.1.0]\n" : "")
        // The repository's signers and identity rules: the releases' signed webhooks replay with them.
        let repository = try String(contentsOfFile: Repo.path("accord.yaml"), encoding: .utf8)
        guard let signers = repository.range(of: "\nsigners:") else { throw Failure("accord.yaml declares no signers") }
        try
            ("""
        spec: \(Repo.path("spec/api.yaml"))
        name: TodoAgent
        appVersionHeader: X-App-Version
        exchanges: \(Repo.path("spec/exchanges"))
        releaseFolder: \(dir)/releases
        clientReplay: \(Repo.path(".build/debug/TodoAgentClientReplay"))
        \(policy)
        """ + repository[signers.lowerBound...]).write(toFile: dir + "/accord.yaml", atomically: true, encoding: .utf8)
        return dir
    }

    static func verifyReleases(
        _ dir: String, baseURL: String
    ) throws -> (status: Int32, json: [String: Any], text: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Repo.path(".build/debug/accord"))
        process.arguments = ["verify", "--releases", "--base-url", baseURL, "--format", "json"]
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        // The frozen clients `accord verify --releases` built for the repository (same content hash): not built again.
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["ACCORD_RELEASE_CACHE": Repo.path(".build/accord-releases")], uniquingKeysWith: { _, new in new })
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        // Progress lines come first; the matrix is the JSON object at the end.
        guard let start = text.range(of: "{\n"),
            let json = try JSONSerialization.jsonObject(with: Data(text[start.lowerBound...].utf8))
                as? [String: Any]
        else { throw Failure("no JSON matrix in:\n\(text)") }
        return (process.terminationStatus, json, text)
    }

    static func row(_ json: [String: Any], _ version: String) -> [String: Any]? {
        (json["releases"] as? [[String: Any]])?.first { $0["version"] as? String == version }
    }

    @Test(
        """
        a release expecting a member the server no longer sends blocks the deploy, naming release, scenario, step, \
        pointer
        """
    )
    func blocked() async throws {
        let dir = try Self.project(warnOnly: false)
        try await withContractServer { url in
            let run = try Self.verifyReleases(dir, baseURL: url)
            #expect(run.status == 1, "\(run.text)")
            #expect(run.json["verdict"] as? String == "blocked")
            #expect(Self.row(run.json, "main")?["verdict"] as? String == "pass")
            #expect(Self.row(run.json, "1.0.0")?["verdict"] as? String == "pass")
            // 1.0.0 predates APP_VERSION_UNSUPPORTED, and its frozen client still reads the 426 as a typed error:
            // one decoded answer more than its exchanges hold (152 typed steps).
            let decode = Self.row(run.json, "1.0.0")?["decode"] as? [String: Any]
            #expect(decode?["checked"] as? Int == 153, "\(decode ?? [:])")
            #expect(Self.row(run.json, "0.9.0")?["verdict"] as? String == "skipped")
            #expect(Self.row(run.json, "0.9.0")?["note"] as? String == "below the minimum 1.0.0")
            let failing = try #require(Self.row(run.json, "1.1.0"))
            #expect(failing["verdict"] as? String == "fail")
            let failures = failing["failures"] as? [[String: Any]] ?? []
            #expect(
                failures.contains {
                    $0["scenario"] as? String == "todos-crud" && $0["pointer"] as? String == "/priority"
                        && ($0["message"] as? String)?.contains("missing field") == true
                        && ($0["step"] as? Int ?? 0) > 0
                }, "\(failures)")
        }
    }

    @Test("a warnOnly release that fails is reported and does not block")
    func warnOnly() async throws {
        let dir = try Self.project(warnOnly: true)
        try await withContractServer { url in
            let run = try Self.verifyReleases(dir, baseURL: url)
            #expect(run.status == 0, "\(run.text)")
            #expect(run.json["verdict"] as? String == "deployable")
            #expect(Self.row(run.json, "1.1.0")?["verdict"] as? String == "warn")
            // Where the static diff and the replay disagree, the row says so.
            let drift = Self.row(run.json, "1.1.0")?["analysis"] as? [String] ?? []
            #expect(drift.contains { $0.contains("departs from its spec") }, "\(drift)")
            let gap = Self.row(run.json, "1.2.0")?["analysis"] as? [String] ?? []
            #expect(gap.contains { $0.contains("coverage gap") && $0.contains("operation-removed") }, "\(gap)")
            #expect(Self.row(run.json, "1.2.0")?["verdict"] as? String == "pass")
        }
    }

    @Test("a server that does not turn away versions below its floor blocks every release: the escape hatch is gone")
    func noUpgradeAnswer() async throws {
        let dir = try Self.project(warnOnly: true)
        try await withContractServer { upstream in
            // A proxy that drops the app's version: the server never sees it, so it never answers 426.
            let broken = try await BrokenServer.start(
                upstream: upstream,
                request: { request, _ in
                    var stripped = request
                    stripped.headers = request.headers.filter { $0.name.lowercased() != "x-app-version" }
                    return stripped
                })
            defer { broken.stop() }
            let run = try Self.verifyReleases(dir, baseURL: broken.url)
            #expect(run.status == 1)
            let failures = Self.row(run.json, "1.0.0")?["failures"] as? [[String: Any]] ?? []
            #expect(
                failures.contains {
                    $0["stage"] as? String == "upgrade" && ($0["message"] as? String)?.contains("expected 426") == true
                }, "\(failures)")
        }
    }

    @Test("a server that adds members: main's strict verify flags them, every release passes and decodes")
    func addedMembers() async throws {
        let dir = try Self.project(warnOnly: true)
        try await withContractServer { upstream in
            let broken = try await BrokenServer.start(
                upstream: upstream,
                response: { _, response in
                    Surgery.rewriteJSON(response) { object in object["added_by_a_newer_server"] = ["nested": true] }
                })
            defer { broken.stop() }
            let run = try Self.verifyReleases(dir, baseURL: broken.url)
            let main = try #require(Self.row(run.json, "main"))
            #expect(main["verdict"] as? String == "fail")
            #expect(
                (main["failures"] as? [[String: Any]] ?? []).contains {
                    ($0["pointer"] as? String)?.hasSuffix("/added_by_a_newer_server") == true
                })
            let release = try #require(Self.row(run.json, "1.0.0"))
            #expect(release["verdict"] as? String == "pass", "\(release)")
            let decode = release["decode"] as? [String: Any]
            #expect(decode?["failed"] as? Int == 0)
            #expect((decode?["checked"] as? Int ?? 0) > 100)
        }
    }
}
