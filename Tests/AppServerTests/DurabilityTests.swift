import AccordContract
import Foundation
import Testing
import TodoAgentAPI
import TodoAgentClient

/// Runs the real `app-server` executable: a server killed with SIGKILL under write load and
/// started again still has every to-do it acknowledged with 201.
@Suite struct DurabilityTests {
    /// `.build/debug/app-server`, next to the test bundle.
    static var executable: URL? {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("app-server")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }

    static func start(_ executable: URL, port: Int, environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["--contract-test"]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }.merging([
            "PORT": String(port), "LOG_LEVEL": "error",
        ]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func waitUntilReady(_ base: URL) async throws {
        let client = TodoAgentClient(baseURL: base)
        for _ in 0..<200 {
            if (try? await client.checkHealth()) != nil { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ClientError.transport("app-server did not start")
    }

    @Test(arguments: Backend.available)
    func killedServerKeepsEveryAcknowledgedTodo(_ backend: Backend) async throws {
        let executable = try #require(Self.executable, "build app-server first (swift build)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "accord-durability-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let databaseURL = backend == .sqlite ? "sqlite://\(directory.path)/todo.sqlite" : backend.databaseURL
        if backend == .postgres { await PostgresTurns.shared.acquire() }
        defer { if backend == .postgres { Task { await PostgresTurns.shared.release() } } }

        let port = try ServerProcess.freePort()
        let base = URL(string: "http://127.0.0.1:\(port)")!
        // Durability, not the per-user rate limit, is under test: 16 writers of one account pass 600 a minute.
        let environment = ["DATABASE_URL": databaseURL, "API_RATE_LIMIT_PER_MINUTE": "0"]
        var server = try Self.start(executable, port: port, environment: environment)
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }
        try await Self.waitUntilReady(base)
        let harness = Harness(baseURL: base, client: TodoAgentClient(baseURL: base), fakes: nil)
        try await harness.state("reset")
        let (client, pair) = try await harness.signIn()

        // Writers run until the kill; only 201s count as acknowledged. A failed write before the kill is
        // kept (not a reason to stop): on a loaded machine the first commits can take seconds.
        let acknowledged = AcknowledgedIDs()
        let writers = Task {
            await withTaskGroup(of: Void.self) { group in
                for writer in 0..<16 {
                    group.addTask {
                        var i = 0
                        while await !acknowledged.isStopped {
                            do {
                                let todo = try await client.createTodo(TodoCreate(title: "w\(writer)-\(i)")).value
                                await acknowledged.add(todo.id)
                            } catch {
                                await acknowledged.failed(error)
                                try? await Task.sleep(for: .milliseconds(20))
                            }
                            i += 1
                        }
                    }
                }
            }
        }
        // Stopped by a flag, not by cancelling the task: cancelling a URLSession request in flight can
        // deadlock FoundationNetworking on Linux (cancel and resume wait on each other).
        defer { Task { await acknowledged.stop() } }
        // Kill once the load has written a good number (or after 30 s), then a little later so
        // writes are in flight when the process dies.
        for _ in 0..<600 {
            if await acknowledged.ids.count >= 100 { break }
            try #require(server.isRunning, "app-server exited under load")
            try await Task.sleep(for: .milliseconds(50))
        }
        try await Task.sleep(for: .milliseconds(300))
        let failureBeforeKill = await acknowledged.firstFailure ?? "none"
        kill(server.processIdentifier, SIGKILL)
        try await Self.waitForExit(server)
        await acknowledged.stop()
        await writers.value
        let before = await acknowledged.ids
        #expect(before.count > 20, "the load should have written something; first failed write: \(failureBeforeKill)")

        server = try Self.start(executable, port: port, environment: environment)
        try await Self.waitUntilReady(base)
        // The token was signed with the fixed contract-test key, so it is still valid.
        let again = TodoAgentClient(baseURL: base, tokenProvider: FixedToken(pair.accessToken))
        var stored = Set<UUID>()
        var cursor: String?
        repeat {
            let page = try await again.listTodos(limit: 100, cursor: cursor)
            stored.formUnion(page.items.map(\.id))
            cursor = page.nextCursor
        } while cursor != nil
        #expect(before.isSubset(of: stored), "lost \(before.subtracting(stored).count) acknowledged to-dos")
        kill(server.processIdentifier, SIGTERM)
        try await Self.waitForExit(server)
    }

    /// Polls instead of `waitUntilExit`, which would block a thread of the cooperative pool.
    static func waitForExit(_ process: Process) async throws {
        for _ in 0..<200 where process.isRunning { try await Task.sleep(for: .milliseconds(25)) }
    }
}

actor AcknowledgedIDs {
    var ids = Set<UUID>()
    var firstFailure: String?
    var isStopped = false
    func stop() { isStopped = true }
    func add(_ id: UUID) { ids.insert(id) }
    func failed(_ error: any Error) { if firstFailure == nil { firstFailure = String(describing: error) } }
}
