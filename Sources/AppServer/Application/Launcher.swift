import Foundation
import Logging

/// The start-up both executables share: configuration from the environment, logging, the server
/// until SIGTERM/SIGINT.
public enum ServerLauncher {
    public static func run(name: String, contractTest: Bool, additions: [any ServerAddition]) async -> Never {
        let configuration: ServerConfiguration
        do {
            configuration = try ServerConfiguration.fromEnvironment(
                ProcessInfo.processInfo.environment, contractTest: contractTest)
        } catch {
            FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
            exit(1)
        }
        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                configuration.logFormat == "text"
                ? StreamLogHandler.standardError(label: label) : JSONLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: name)
        do {
            let app = try await TodoAgentApp.make(configuration, logger: logger, additions: additions)
            try await app.run()
            exit(0)
        } catch {
            logger.critical("\(name) stopped: \(error)")
            exit(1)
        }
    }
}
