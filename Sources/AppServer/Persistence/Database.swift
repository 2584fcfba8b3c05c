import Foundation
import Logging
import PostgresKit
import ServiceLifecycle
import SQLiteKit
import SQLKit
import TodoAgentAPI

/// Where the data lives, from `DATABASE_URL`.
public enum DatabaseLocation: Sendable, Equatable {
    case sqliteFile(String)
    case sqliteMemory
    case postgres(String)

    /// `sqlite://relative/path.sqlite`, `sqlite:///absolute/path.sqlite`, `sqlite::memory:`,
    /// `postgres://…` or `postgresql://…`.
    public init(url: String) throws {
        if url == "sqlite::memory:" {
            self = .sqliteMemory
        } else if url.hasPrefix("sqlite://") {
            let path = String(url.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw ConfigurationError("DATABASE_URL names no SQLite file") }
            self = .sqliteFile(path)
        } else if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            self = .postgres(url)
        } else {
            throw ConfigurationError(
                "DATABASE_URL must start with sqlite://, sqlite::memory:, postgres:// or postgresql://")
        }
    }

    /// For logs: never the password.
    public var redacted: String {
        switch self {
        case .sqliteFile(let path): return "sqlite://\(path)"
        case .sqliteMemory: return "sqlite::memory:"
        case .postgres(let url):
            if var components = URLComponents(string: url) {
                if components.password != nil { components.password = "***" }
                return components.string ?? "postgres://…"
            }
            return "postgres://…"
        }
    }
}

/// The database seam: SQL through SQLKit, one code path for SQLite and PostgreSQL. The few
/// dialect differences (how a write transaction begins, column types) live here.
///
/// Three ways in: `read` for statements that only read (SQLite: a pool of read-only
/// connections, which WAL lets run beside the writer), `withSQL` for writes outside an explicit
/// transaction, `transaction` for several statements that stand or fall together. On SQLite every
/// write goes through one `GroupCommitter`: writes that arrive together share one transaction
/// and one commit, and none is answered before that commit returns.
public final class AppDatabase: Sendable {
    public enum Dialect: Sendable { case sqlite, postgres }

    public let dialect: Dialect
    private let backend: Backend
    private let logger: Logger
    /// Counts authenticated requests for the per-user rate limit, many per statement.
    let requestCounter: RequestCounter

    private enum Backend: Sendable {
        case sqlite(SQLiteStore)
        case postgres(PostgresClient)
    }

    private init(dialect: Dialect, backend: Backend, logger: Logger) {
        self.dialect = dialect
        self.backend = backend
        self.logger = logger
        requestCounter = RequestCounter()
        requestCounter.attach(self)
    }

    /// What must run for the database to answer: PostgreSQL's connection pool, as a service of
    /// the server's service group (started before migrations, stopped at shutdown).
    public var services: [any Service] {
        if case .postgres(let client) = backend { return [client] }
        return []
    }

    /// Opens the database (for PostgreSQL, sets up its connection pool: `services` runs it).
    public static func open(_ location: DatabaseLocation, logger: Logger) async throws -> AppDatabase {
        switch location {
        case .sqliteMemory:
            return AppDatabase(
                dialect: .sqlite, backend: .sqlite(try await SQLiteStore.open(path: nil, logger: logger)),
                logger: logger)
        case .sqliteFile(let path):
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            return AppDatabase(
                dialect: .sqlite, backend: .sqlite(try await SQLiteStore.open(path: path, logger: logger)),
                logger: logger)
        case .postgres(let url):
            let configuration = try SQLPostgresConfiguration(url: url)
            let core = configuration.coreConfiguration
            guard let host = core.host else { throw ConfigurationError("DATABASE_URL names no PostgreSQL host") }
            var client = PostgresClient.Configuration(
                host: host, port: core.port ?? 5432, username: core.username,
                password: core.password, database: core.database, tls: .disable)
            client.options.maximumConnections = 20
            client.options.connectionIdleTimeout = .seconds(60)
            let pool = PostgresClient(configuration: client, backgroundLogger: logger)
            return AppDatabase(dialect: .postgres, backend: .postgres(pool), logger: logger)
        }
    }

    public func close() async {
        switch backend {
        case .sqlite(let store): await store.close()
        case .postgres: break  // the pool stops with its service
        }
    }

    /// Runs statements that only read. SQLite: on a read-only connection, beside the writer.
    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await Self.mappingLostDatabase {
            switch backend {
            case .sqlite(let store): return try await store.read(body)
            case .postgres(let client):
                return try await Self.withPostgres(client, body) { sql, body in try await body(sql) }
            }
        }
    }

    /// Runs statements outside an explicit transaction (SQLite: inside the current group commit).
    public func withSQL<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    {
        try await Self.mappingLostDatabase {
            switch backend {
            case .sqlite(let store): return try await store.write(body)
            case .postgres(let client):
                return try await Self.withPostgres(client, body) { sql, body in try await body(sql) }
            }
        }
    }

    /// How long a PostgreSQL operation may wait (for a connection included): an unreachable
    /// server must answer SERVICE_UNAVAILABLE, not hold the request until the client gives up.
    static let postgresDeadline = Duration.seconds(8)

    struct DeadlineExceeded: Error {}

    /// `run(sql, body)` on a pooled connection, under the deadline.
    private static func withPostgres<T: Sendable>(
        _ client: PostgresClient, _ body: @Sendable (any SQLDatabase) async throws -> T,
        _ run: @escaping @Sendable (any SQLDatabase, @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    ) async throws -> T {
        // The task group ends before this returns: `body` does not outlive the call.
        try await withoutActuallyEscaping(body) { body in
            try await withDeadline(postgresDeadline) {
                try await client.withConnection { connection in try await run(connection.sql(), body) }
            }
        }
    }

    private static func withDeadline<T: Sendable>(
        _ limit: Duration, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw DeadlineExceeded() }
            return value
        }
    }

    /// Runs `body` in one transaction: everything or nothing. On SQLite it may share the
    /// transaction with other callers' bodies (group commit); a body that throws is rerun alone.
    public func transaction<T: Sendable>(
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        try await Self.mappingLostDatabase {
            switch backend {
            case .sqlite(let store):
                return try await store.write(body)
            case .postgres(let client):
                return try await Self.withPostgres(client, body) { sql, body in
                    try await Self.inTransaction(sql, begin: "BEGIN", body)
                }
            }
        }
    }

    /// A database that cannot be reached answers SERVICE_UNAVAILABLE, not INTERNAL_ERROR; the
    /// pool reconnects by itself when it is back.
    private static func mappingLostDatabase<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PSQLError where error.code != .server && error.code != .queryCancelled {
            throw APIError(
                .serviceUnavailable, detail: "The database is unreachable; try again shortly.", retryAfter: 5)
        } catch is DeadlineExceeded {
            throw APIError(
                .serviceUnavailable, detail: "The database did not answer in time; try again shortly.",
                retryAfter: 5)
        }
    }

    static func inTransaction<T>(
        _ sql: any SQLDatabase, begin: String,
        _ body: @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        try await sql.raw(SQLQueryString(begin)).run()
        do {
            let result = try await body(sql)
            try await sql.raw("COMMIT").run()
            return result
        } catch {
            try? await sql.raw("ROLLBACK").run()
            throw error
        }
    }

    /// Whether the database answers.
    public func ping() async -> Bool {
        (try? await read { sql in try await sql.raw("SELECT 1 AS one").first() }) != nil
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
