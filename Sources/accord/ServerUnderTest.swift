import AccordContract
import ArgumentParser
import Foundation

/// The server a verify run talks to: the one at `--base-url`, or accord.yaml's `serverCommand`
/// (built first with `build`) started on a free port and stopped afterwards.
struct ServerUnderTest {
    let live: LiveServer
    private let process: ServerProcess?

    static func start(_ project: ProjectConfiguration, baseURL: String?) async throws -> ServerUnderTest {
        if let baseURL { return ServerUnderTest(live: LiveServer(baseURL: baseURL), process: nil) }
        guard let command = project.serverCommand else {
            throw ValidationError("accord.yaml names no serverCommand; pass --base-url")
        }
        if let build = project.build {
            print("== Build: \(build)")
            try runCommand(build)
        }
        print("== Server: \(command)")
        fflush(nil)
        let process = try await ServerProcess.start(command: command)
        return ServerUnderTest(live: LiveServer(baseURL: process.baseURL), process: process)
    }

    func stop() async {
        await live.shutdown()
        process?.stop()
    }
}
