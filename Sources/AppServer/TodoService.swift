import Foundation
import SQLKit
import TodoAgentAPI
import TodoAgentServer

/// To-dos of one user at a time: every query is scoped by `user_id`, so another user's to-do
/// answers exactly like one that does not exist.
struct TodoService: Sendable {
    let db: AppDatabase
    var idempotencyWindow: Int64 = 24 * 3600 * 1000

    static let columns = "id, title, notes, completed, due_at, completed_at, created_at, updated_at"

    func list(userID: String, limit: Int, cursor: String?, status: TodoStatusFilter) async throws -> TodoPage {
        let after = try PageCursor.position(after: cursor)
        let filter: SQLQueryString = switch status {
        case .open: " AND completed = 0"
        case .completed: " AND completed = 1"
        default: ""
        }
        let rows = try await db.withSQL { sql in
            var query: SQLQueryString = "SELECT \(unsafeRaw: Self.columns) FROM todos WHERE user_id = \(bind: userID)"
            query = query + filter
            if let (createdAt, id) = after {
                query = query + " AND (created_at < \(bind: createdAt) OR (created_at = \(bind: createdAt) AND id < \(bind: id)))"
            }
            query = query + " ORDER BY created_at DESC, id DESC LIMIT \(bind: limit + 1)"
            return try await sql.raw(query).all()
        }
        let (items, next) = PageCursor.page(try rows.map(Self.todo), limit: limit) { ($0.createdAt.millis, $0.id.parameterText) }
        return TodoPage(items: items, nextCursor: next)
    }

    func create(userID: String, body: TodoCreate, idempotencyKey: String?) async throws -> Todo {
        let title = body.title.trimmingCharacters(in: .whitespacesAndNewlines)
        let notes = body.notes
        let dueAt = body.dueAt
        let requestHash = Secrets.sha256(String(decoding: try JSONCoding.encoder.encode(body), as: UTF8.self))
        let now = Clock.nowMillis()
        let window = idempotencyWindow
        return try await db.transaction { sql in
            if let idempotencyKey {
                try await sql.raw("DELETE FROM idempotency_keys WHERE user_id = \(bind: userID) AND created_at < \(bind: now - window)").run()
                if let row = try await sql.raw("""
                    SELECT request_hash, response_json FROM idempotency_keys
                    WHERE user_id = \(bind: userID) AND idempotency_key = \(bind: idempotencyKey)
                    """).first() {
                    guard try row.decode(column: "request_hash", as: String.self) == requestHash else {
                        throw APIError(.idempotencyKeyReused, detail: "This Idempotency-Key was used with a different body.")
                    }
                    let json = try row.decode(column: "response_json", as: String.self)
                    return try JSONCoding.decoder.decode(Todo.self, from: Data(json.utf8))
                }
            }
            let todo = Todo(id: UUID(), title: title, notes: notes, completed: false, dueAt: dueAt, completedAt: nil,
                            createdAt: Date(millis: now), updatedAt: Date(millis: now))
            try await sql.raw("""
                INSERT INTO todos (id, user_id, title, notes, completed, due_at, completed_at, created_at, updated_at)
                VALUES (\(bind: todo.id.parameterText), \(bind: userID), \(bind: title), \(bind: notes), 0, \(bind: dueAt?.millis), NULL, \(bind: now), \(bind: now))
                """).run()
            if let idempotencyKey {
                let json = String(decoding: try JSONCoding.encoder.encode(todo), as: UTF8.self)
                try await sql.raw("""
                    INSERT INTO idempotency_keys (user_id, idempotency_key, request_hash, response_json, created_at)
                    VALUES (\(bind: userID), \(bind: idempotencyKey), \(bind: requestHash), \(bind: json), \(bind: now))
                    """).run()
            }
            return todo
        }
    }

    func get(userID: String, id: UUID) async throws -> Todo {
        let row = try await db.withSQL { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM todos WHERE id = \(bind: id.parameterText) AND user_id = \(bind: userID)").first()
        }
        guard let row else { throw Self.notFound }
        return try Self.todo(row)
    }

    func update(userID: String, id: UUID, change: TodoUpdate) async throws -> Todo {
        let now = Clock.nowMillis()
        return try await db.transaction { sql in
            guard let row = try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM todos WHERE id = \(bind: id.parameterText) AND user_id = \(bind: userID)").first()
            else { throw Self.notFound }
            var todo = try Self.todo(row)
            if let title = change.title { todo.title = title.trimmingCharacters(in: .whitespacesAndNewlines) }
            if let notes = change.notes { todo.notes = notes.wrapped }
            if let dueAt = change.dueAt { todo.dueAt = dueAt.wrapped }
            if let completed = change.completed, completed != todo.completed {
                todo.completed = completed
                todo.completedAt = completed ? Date(millis: now) : nil
            }
            todo.updatedAt = Date(millis: now)
            try await sql.raw("""
                UPDATE todos SET title = \(bind: todo.title), notes = \(bind: todo.notes), completed = \(bind: todo.completed ? 1 : 0),
                due_at = \(bind: todo.dueAt?.millis), completed_at = \(bind: todo.completedAt?.millis), updated_at = \(bind: now)
                WHERE id = \(bind: id.parameterText) AND user_id = \(bind: userID)
                """).run()
            return todo
        }
    }

    func delete(userID: String, id: UUID) async throws {
        let deleted = try await db.transaction { sql in
            guard try await sql.raw("SELECT id FROM todos WHERE id = \(bind: id.parameterText) AND user_id = \(bind: userID)").first() != nil
            else { return false }
            try await sql.raw("DELETE FROM todos WHERE id = \(bind: id.parameterText) AND user_id = \(bind: userID)").run()
            return true
        }
        if !deleted { throw Self.notFound }
    }

    static var notFound: APIError { APIError(.todoNotFound, detail: "There is no such to-do.") }

    static func todo(_ row: any SQLRow) throws -> Todo {
        Todo(id: UUID(uuidString: try row.decode(column: "id", as: String.self))!,
             title: try row.decode(column: "title", as: String.self),
             notes: try row.decode(column: "notes", as: String?.self),
             completed: try row.decode(column: "completed", as: Int.self) != 0,
             dueAt: try row.decode(column: "due_at", as: Int64?.self).map(Date.init(millis:)),
             completedAt: try row.decode(column: "completed_at", as: Int64?.self).map(Date.init(millis:)),
             createdAt: Date(millis: try row.decode(column: "created_at", as: Int64.self)),
             updatedAt: Date(millis: try row.decode(column: "updated_at", as: Int64.self)))
    }
}

/// Opaque page cursors: the last item's sort key, base64url.
enum PageCursor {
    static func encode(_ createdAt: Int64, _ id: String) -> String {
        Data("\(createdAt):\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The position a `cursor` query names (nil for the first page); a cursor this server did
    /// not issue is a validation failure of `/query/cursor`.
    static func position(after cursor: String?) throws -> (Int64, String)? {
        guard let cursor else { return nil }
        guard let decoded = decode(cursor) else {
            throw APIError(.validationFailed, detail: "The cursor is not one this server issued.") {
                $0.errors = [FieldError(field: "/query/cursor", code: "format", message: "is not a valid cursor")]
            }
        }
        return decoded
    }

    /// A page from up to `limit + 1` rows: the extra row only says there is more; the cursor
    /// names the last row kept.
    static func page<Item>(_ rows: [Item], limit: Int, position: (Item) -> (Int64, String)) -> ([Item], String?) {
        guard rows.count > limit else { return (rows, nil) }
        let items = Array(rows.prefix(limit))
        return (items, items.last.map { let (time, id) = position($0); return encode(time, id) })
    }

    static func decode(_ cursor: String) -> (Int64, String)? {
        guard let data = AccessTokens.base64URLDecode(Substring(cursor)), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let createdAt = Int64(parts[0]), UUID(uuidString: String(parts[1])) != nil else { return nil }
        return (createdAt, String(parts[1]))
    }
}
