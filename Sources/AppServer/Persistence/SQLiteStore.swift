import Foundation
import Logging
import NIOCore
import SQLiteKit
import SQLKit

/// SQLite the way GRDB's DatabasePool does it: one writer connection, a pool of read-only
/// connections. WAL lets the readers run while the writer writes; each reader sees the last
/// committed state, and nothing is answered before its commit, so a client reads its own writes.
/// An in-memory database is private to its connection: there every statement goes to the writer.
final class SQLiteStore: Sendable {
    private let writer: SQLiteConnection
    private let readers: ConnectionPool<SQLiteConnection>?
    private let committer: GroupCommitter

    /// Read-only connections: two cores here; more would only queue on SQLite's thread pool.
    static let readerCount = max(2, System.coreCount)

    private init(writer: SQLiteConnection, readers: ConnectionPool<SQLiteConnection>?) {
        self.writer = writer
        self.readers = readers
        committer = GroupCommitter(sql: writer.sql())
    }

    /// `path` nil: in memory.
    static func open(path: String?, logger: Logger) async throws -> SQLiteStore {
        let storage: SQLiteConnection.Storage = path.map { .file(path: $0) } ?? .memory
        let writer = try await SQLiteConnection.open(storage: storage, logger: logger)
        let sql = writer.sql()
        // WAL: readers in this and other processes go on during writes. The busy timeout waits
        // out another process's write instead of failing. synchronous=FULL syncs the WAL at every
        // commit: an acknowledged write survives power loss, and group commit keeps that cheap.
        try await sql.raw("PRAGMA journal_mode = WAL").run()
        try await sql.raw("PRAGMA busy_timeout = 5000").run()
        try await sql.raw("PRAGMA foreign_keys = ON").run()
        try await sql.raw("PRAGMA synchronous = FULL").run()
        guard path != nil else { return SQLiteStore(writer: writer, readers: nil) }
        var readers: [SQLiteConnection] = []
        for _ in 0..<readerCount {
            let reader = try await SQLiteConnection.open(storage: storage, logger: logger)
            try await reader.sql().raw("PRAGMA busy_timeout = 5000").run()
            // A reader that tried to write would fail loudly rather than race the writer.
            try await reader.sql().raw("PRAGMA query_only = 1").run()
            readers.append(reader)
        }
        return SQLiteStore(writer: writer, readers: ConnectionPool(readers))
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        guard let readers else { return try await committer.submit(body) }
        return try await readers.with { connection in try await body(connection.sql()) }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await committer.submit(body)
    }

    func close() async {
        await committer.drainAndStop()
        if let readers {
            for reader in readers.all { try? await reader.close() }
        }
        try? await writer.close()
    }
}

/// Group commit on one connection: every body submitted while a transaction is running waits,
/// and the next transaction runs all of them, in order, with one COMMIT (one WAL sync). Each
/// caller gets its answer only after that COMMIT returned. When a body throws, the batch is
/// rolled back and each of its bodies runs again in a transaction of its own, so one caller's
/// failure never undoes or fails another's write.
final class GroupCommitter: @unchecked Sendable {
    typealias Body = @Sendable (any SQLDatabase) async throws -> any Sendable

    private struct Job {
        let body: Body
        let continuation: CheckedContinuation<any Sendable, any Error>
    }

    private let sql: any SQLDatabase
    private let lock = NSLock()
    private var pending: [Job] = []
    private var running = false
    private var stopped = false
    /// The most bodies one transaction runs: bounds how long a batch holds the write lock.
    static let maximumBatch = 512

    init(sql: any SQLDatabase) {
        self.sql = sql
    }

    func submit<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let value = try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<any Sendable, any Error>) in
            let action: SubmitAction = lock.withLock {
                if stopped { return .refuse }
                pending.append(Job(body: { try await body($0) }, continuation: continuation))
                if running { return .wait }
                running = true
                return .start
            }
            switch action {
            case .refuse: continuation.resume(throwing: DatabaseClosed())
            case .start: Task { await self.drain() }
            case .wait: break
            }
        }
        // The job's body returned a T: it is the only thing this job can hold.
        return value as! T
    }

    private enum SubmitAction { case start, wait, refuse }

    struct DatabaseClosed: Error {}

    private func drain() async {
        while true {
            let batch: [Job]? = lock.withLock {
                if pending.isEmpty {
                    running = false
                    return nil
                }
                let count = min(pending.count, Self.maximumBatch)
                let batch = Array(pending.prefix(count))
                pending.removeFirst(count)
                return batch
            }
            guard let batch else { return }
            await run(batch)
        }
    }

    private func run(_ batch: [Job]) async {
        if batch.count == 1 {
            let job = batch[0]
            do {
                job.continuation.resume(
                    returning: try await AppDatabase.inTransaction(sql, begin: "BEGIN IMMEDIATE", job.body))
            } catch {
                job.continuation.resume(throwing: error)
            }
            return
        }
        var values: [any Sendable] = []
        values.reserveCapacity(batch.count)
        do {
            try await sql.raw("BEGIN IMMEDIATE").run()
        } catch {
            for job in batch { job.continuation.resume(throwing: error) }
            return
        }
        do {
            for job in batch { values.append(try await job.body(sql)) }
        } catch {
            // One body failed: nothing of this batch stays; each body runs again on its own.
            try? await sql.raw("ROLLBACK").run()
            for job in batch { await run([job]) }
            return
        }
        do {
            try await sql.raw("COMMIT").run()
        } catch {
            try? await sql.raw("ROLLBACK").run()
            for job in batch { job.continuation.resume(throwing: error) }
            return
        }
        for (job, value) in zip(batch, values) { job.continuation.resume(returning: value) }
    }

    /// Refuses new work, then waits for what was already submitted.
    func drainAndStop() async {
        lock.withLock { stopped = true }
        while lock.withLock({ running || !pending.isEmpty }) {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}

/// A fixed set of connections handed out one caller at a time, waiters served in order.
final class ConnectionPool<Connection: Sendable>: @unchecked Sendable {
    let all: [Connection]
    private let lock = NSLock()
    private var free: [Connection]
    private var waiters: [CheckedContinuation<Connection, Never>] = []

    init(_ connections: [Connection]) {
        all = connections
        free = connections
    }

    func with<T: Sendable>(_ body: (Connection) async throws -> T) async throws -> T {
        let connection = await acquire()
        defer { release(connection) }
        return try await body(connection)
    }

    private func acquire() async -> Connection {
        await withCheckedContinuation { (continuation: CheckedContinuation<Connection, Never>) in
            let connection: Connection? = lock.withLock {
                if let connection = free.popLast() { return connection }
                waiters.append(continuation)
                return nil
            }
            if let connection { continuation.resume(returning: connection) }
        }
    }

    private func release(_ connection: Connection) {
        let waiter: CheckedContinuation<Connection, Never>? = lock.withLock {
            if waiters.isEmpty {
                free.append(connection)
                return nil
            }
            return waiters.removeFirst()
        }
        waiter?.resume(returning: connection)
    }
}
