import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A server under test started as a child process on a free loopback port, stopped with SIGTERM.
public final class ServerProcess: @unchecked Sendable {
    public let port: Int
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    private let process: Process
    private let errorLog: URL

    public struct StartFailure: Error, CustomStringConvertible {
        public var description: String
        /// The process ended before it answered (perhaps its port was taken before it could bind).
        var exitedEarly = false
    }

    /// Starts `command` (words separated by spaces) with `HOST` and `PORT` set, and waits until it answers HTTP.
    /// A server that exits before answering is started again on another port, twice at most: its port
    /// may have been taken between the check and its own bind.
    public static func start(
        command: String, environment extra: [String: String] = [:],
        readyWithin seconds: Double = 60
    ) async throws -> ServerProcess {
        var attempt = 1
        while true {
            do {
                return try await startOnce(command: command, environment: extra, readyWithin: seconds)
            } catch let failure as StartFailure where failure.exitedEarly && attempt < 3 {
                attempt += 1
            }
        }
    }

    private static func startOnce(
        command: String, environment extra: [String: String], readyWithin seconds: Double
    ) async throws -> ServerProcess {
        let words = command.split(separator: " ").map(String.init)
        guard let executable = words.first else { throw StartFailure(description: "the server command is empty") }
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.contains("/") ? executable : "/usr/bin/env")
        process.arguments = executable.contains("/") ? Array(words.dropFirst()) : words
        var environment = ProcessInfo.processInfo.environment
        environment["HOST"] = "127.0.0.1"
        environment["PORT"] = String(port)
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let errorLog = FileManager.default.temporaryDirectory.appendingPathComponent(
            "accord-server-\(port)-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)
        let handle = try FileHandle(forWritingTo: errorLog)
        process.standardOutput = handle
        process.standardError = handle
        do {
            try process.run()
        } catch {
            throw StartFailure(description: "cannot start '\(command)': \(error)")
        }
        let server = ServerProcess(port: port, process: process, errorLog: errorLog)
        let probe = LiveServer(baseURL: server.baseURL, timeoutSeconds: 2)
        if await probe.waitUntilAnswering(within: .seconds(seconds), while: { process.isRunning }) { return server }
        if !process.isRunning {
            let log = server.logTail()
            try? FileManager.default.removeItem(at: errorLog)
            throw StartFailure(
                description: "'\(command)' exited with status \(process.terminationStatus) before answering:\n\(log)",
                exitedEarly: true)
        }
        let log = server.logTail()  // (before `stop`, which removes the log)
        server.stop()
        throw StartFailure(description: "'\(command)' did not answer on port \(port) within \(Int(seconds)) s:\n\(log)")
    }

    private init(port: Int, process: Process, errorLog: URL) {
        self.port = port
        self.process = process
        self.errorLog = errorLog
    }

    /// The last lines the server wrote (for start-up failures).
    public func logTail(lines: Int = 20) -> String {
        let text = (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// SIGTERM, then SIGKILL if it has not exited within ten seconds.
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: errorLog)
    }

    /// A loopback TCP port nothing listens on right now, for a server started next. Chosen at random
    /// below the kernel's ephemeral ranges (Linux 32768–60999, macOS 49152–65535): a port the kernel
    /// picked could go to another socket (a `bind` to port 0, an outgoing connection) between this
    /// check and the server's own bind, and the client would then talk to someone else's server.
    /// A port is handed out once per process.
    public static func freePort() throws -> Int {
        let range = portRange
        for _ in 0..<500 {
            let port = Int.random(in: range)
            guard PortsHandedOut.shared.claim(port) else { continue }
            if try canBind(port) { return port }
        }
        throw StartFailure(description: "no free loopback port between \(range.lowerBound) and \(range.upperBound)")
    }

    /// 20000–32767, or below the start of a Linux host's own ephemeral range when that starts lower
    /// (where it starts below 11000 no range is clear of it: the whole non-privileged one is used).
    static let portRange: ClosedRange<Int> = {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        guard let start = text.split(whereSeparator: \.isWhitespace).first.flatMap({ Int($0) }), start < 32_768
        else { return 20_000...32_767 }
        return start > 11_000 ? (start - 10_000)...(start - 1) : 1_024...65_535
    }()

    private static func canBind(_ port: Int) throws -> Bool {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw StartFailure(description: "cannot open a socket") }
        defer { close(fd) }
        // As servers bind (SO_REUSEADDR): a port left in TIME_WAIT is usable, a listening one is not.
        var reuse: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return bound == 0
    }
}

/// The ports `freePort` handed out in this process.
private final class PortsHandedOut: @unchecked Sendable {
    static let shared = PortsHandedOut()
    private let lock = NSLock()
    private var ports = Set<Int>()

    func claim(_ port: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return ports.insert(port).inserted
    }
}
