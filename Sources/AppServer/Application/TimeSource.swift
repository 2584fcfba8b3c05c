import Foundation

/// Where the server reads the time. Production uses the system's; tests set and advance their
/// own to make codes, tokens and webhook signatures expire without waiting.
public protocol TimeSource: Sendable {
    func now() -> Date
}

extension TimeSource {
    /// Milliseconds since the epoch, as the database stores times.
    public var nowMillis: Int64 { Int64((now().timeIntervalSince1970 * 1000).rounded(.down)) }
}

/// The system's clock.
public struct SystemTime: TimeSource {
    public init() {}
    public func now() -> Date { Date() }
}

/// A time that only moves when told to (tests).
public final class SettableTime: TimeSource, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    public init(_ start: Date = Date()) { current = start }

    public func now() -> Date { lock.withLock { current } }

    public func advance(by seconds: TimeInterval) {
        lock.withLock { current = current.addingTimeInterval(seconds) }
    }
}
