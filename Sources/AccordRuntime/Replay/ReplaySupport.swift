import AccordRuntimeClient
import AccordRuntimeModels
import Foundation

/// The plan `accord verify` sends: recorded steps with every variable already bound.
struct ReplayPlan: Decodable {
    var steps: [ReplayStep]
}

package struct ReplayStep: Decodable, Sendable {
    var id: String
    package var operationId: String
    var method: String
    /// The path as recorded (percent-encoded), without the query.
    var path: String
    var query: [[String]]
    var headers: [[String]]
    var body: String?
    var response: RecordedAnswer
}

struct RecordedAnswer: Decodable, Sendable {
    var status: Int
    var headers: [[String]]
    var body: String
}

/// What the client did with one step.
struct ReplayReport: Encodable {
    struct BuiltRequest: Encodable {
        var method: String
        var url: String
        var headers: [[String]]
        var body: String?
    }
    var id: String
    /// `success`, `apiError`, `notExpressible` (the recorded request has no typed form), or `failure`.
    var outcome: String
    var request: BuiltRequest?
    var status: Int?
    var code: String?
    var message: String?
}

package struct ReplayArgumentError: Error, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}

/// The recorded values of one step, read back as the client's typed arguments (`package`: the
/// generated replay tool, a module of its own, calls them).
package final class ReplayArguments: @unchecked Sendable {
    let step: ReplayStep
    package var pathTemplate = ""

    init(step: ReplayStep) { self.step = step }

    /// A recorded text as a typed value: a JSON scalar first (numbers, booleans), else the text
    /// as a JSON string (ids, enum values, dates), decoded the way the client decodes.
    package func value<T: Decodable>(_ raw: String, as type: T.Type, _ name: String) throws -> T {
        if let value = try? JSONCoding.decoder.decode(T.self, from: Data(raw.utf8)) { return value }
        let quoted = try JSONEncoder().encode(raw)
        do {
            return try JSONCoding.decoder.decode(T.self, from: quoted)
        } catch {
            throw ReplayArgumentError("\(name) \"\(raw)\" is not a valid \(T.self)")
        }
    }

    package func path<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        let template = pathTemplate.split(separator: "/", omittingEmptySubsequences: false)
        let actual = step.path.split(separator: "/", omittingEmptySubsequences: false)
        guard template.count == actual.count,
            let index = template.firstIndex(of: Substring("{\(name)}"))
        else {
            throw ReplayArgumentError("the path \(step.path) does not fit \(pathTemplate)")
        }
        let raw = String(actual[index]).removingPercentEncoding ?? String(actual[index])
        return try value(raw, as: T.self, "path parameter \(name)")
    }

    private func queryValues(_ name: String) -> [String] {
        step.query.filter { $0.first == name }.map { $0.count > 1 ? $0[1] : "" }
    }

    package func query<T: Decodable>(_ name: String, as type: T.Type) throws -> T? {
        guard let raw = queryValues(name).first else { return nil }
        return try value(raw, as: T.self, "query parameter \(name)")
    }

    package func queryList<T: Decodable>(_ name: String, as type: T.Type, explode: Bool) throws -> [T]? {
        let raws = queryValues(name)
        guard !raws.isEmpty else { return nil }
        let items = explode ? raws : raws.flatMap { $0.split(separator: ",").map(String.init) }
        return try items.map { try value($0, as: T.self, "query parameter \(name)") }
    }

    /// A header as recorded (for values the client takes once, such as the app's version).
    package func rawHeader(_ name: String) -> String? {
        step.headers.first(where: { $0.first?.lowercased() == name.lowercased() }).map { $0.count > 1 ? $0[1] : "" }
    }

    package func header<T: Decodable>(_ name: String, as type: T.Type) throws -> T? {
        guard
            let raw = step.headers.first(where: { $0.first?.lowercased() == name.lowercased() }).map({
                $0.count > 1 ? $0[1] : ""
            })
        else { return nil }
        return try value(raw, as: T.self, "header \(name)")
    }

    package func require<T>(_ value: T?, _ name: String) throws -> T {
        guard let value else { throw ReplayArgumentError("the recorded request has no \(name)") }
        return value
    }

    package func jsonBody<T: Decodable>(_ type: T.Type) throws -> T {
        guard let body = step.body else { throw ReplayArgumentError("the recorded request has no body") }
        do {
            return try JSONCoding.decoder.decode(T.self, from: Data(body.utf8))
        } catch {
            throw ReplayArgumentError("the recorded body is not a \(T.self): \(error)")
        }
    }

    package func optionalJsonBody<T: Decodable>(_ type: T.Type) throws -> T? {
        step.body == nil ? nil : try jsonBody(T.self)
    }

    package func textBody(_ type: String.Type) throws -> String {
        guard let body = step.body else { throw ReplayArgumentError("the recorded request has no body") }
        return body
    }

    package func optionalTextBody(_ type: String.Type) throws -> String? { step.body }
}

/// Answers every request with the recorded response and keeps the first request the client built.
final class ReplayTransport: HTTPTransport, @unchecked Sendable {
    let answer: RecordedAnswer
    private let lock = NSLock()
    private var built: TransportRequest?

    init(answer: RecordedAnswer) { self.answer = answer }

    var firstRequest: TransportRequest? { lock.withLock { built } }

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        lock.withLock { if built == nil { built = request } }
        var headers: [String: String] = [:]
        for pair in answer.headers where pair.count > 1 { headers[pair[0]] = pair[1] }
        return TransportResponse(status: answer.status, headers: headers, body: Data(answer.body.utf8))
    }
}

/// The token the recorded request carried; no refresh (the recording holds one answer per step).
struct RecordedToken: TokenProvider {
    let token: String?
    func accessToken() async throws -> String? { token }
    func refreshedAccessToken() async throws -> String? { nil }
}

package enum ClientReplay {
    @MainActor package static func run<Client>(
        _ input: Data,
        call: (Client, ReplayStep, ReplayArguments) async throws -> Void,
        makeClient: (any HTTPTransport, any TokenProvider, ReplayArguments) -> Client,
        errorCode: (any Error) -> (Int, String?)?
    ) async -> Data {
        let plan: ReplayPlan
        do {
            plan = try JSONDecoder().decode(ReplayPlan.self, from: input)
        } catch {
            return Data("{\"error\":\"the replay plan is not valid: \(error)\"}".utf8)
        }
        var reports: [ReplayReport] = []
        for step in plan.steps {
            let transport = ReplayTransport(answer: step.response)
            let authorization = step.headers.first { $0.first?.lowercased() == "authorization" }.flatMap {
                $0.count > 1 ? $0[1] : nil
            }
            let token = authorization.map { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : $0 }
            let arguments = ReplayArguments(step: step)
            let client = makeClient(transport, RecordedToken(token: token), arguments)
            var report = ReplayReport(id: step.id, outcome: "success")
            do {
                try await call(client, step, arguments)
            } catch let error as ReplayArgumentError {
                report.outcome = "notExpressible"
                report.message = error.description
            } catch {
                if let (status, code) = errorCode(error) {
                    report.outcome = "apiError"
                    report.status = status
                    report.code = code
                } else {
                    report.outcome = "failure"
                    report.message = String(describing: error)
                }
            }
            if let built = transport.firstRequest {
                report.request = .init(
                    method: built.method, url: built.url.absoluteString,
                    headers: built.headers.sorted { $0.key < $1.key }.map { [$0.key, $0.value] },
                    body: built.body.map { String(decoding: $0, as: UTF8.self) })
            }
            reports.append(report)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(reports)) ?? Data("[]".utf8)
    }
}
