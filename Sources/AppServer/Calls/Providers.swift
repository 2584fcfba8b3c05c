import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import TodoAgentAPI

/// Twilio's Messages API: the sign-in code by SMS (PROVIDERS.md).
struct TwilioSMSSender: SMSSender {
    let baseURL: String
    let accountSID: String
    let authToken: String
    let fromNumber: String
    let http: HTTPClient
    let logger: Logger
    var timeout: TimeAmount = .seconds(10)

    func sendCode(_ code: String, to phone: String) async throws {
        var request = HTTPClientRequest(url: "\(baseURL)/2010-04-01/Accounts/\(accountSID)/Messages.json")
        request.method = .POST
        let credentials = Data("\(accountSID):\(authToken)".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic \(credentials)")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        let form = [
            ("To", phone), ("From", fromNumber), ("Body", "Your Todo Agent code is \(code). It expires in 5 minutes."),
        ]
        request.body = .bytes(ByteBuffer(string: Self.formEncode(form)))
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: timeout)
        } catch {
            logger.warning("twilio request failed", metadata: ["provider": "twilio", "outcome": "unreachable"])
            Observability.recordProviderCall("twilio", "unreachable")
            throw ProviderFailure.unavailable
        }
        let body = try? await response.body.collect(upTo: 64 * 1024)
        guard response.status.code == 201 || response.status.code == 200 else {
            let json = body.flatMap { try? JSONSerialization.jsonObject(with: Data(buffer: $0)) as? [String: Any] }
            let twilioCode = json?["code"] as? Int
            logger.warning(
                "twilio refused the message",
                metadata: [
                    "provider": "twilio", "status": "\(response.status.code)",
                    "twilio_code": "\(twilioCode.map(String.init) ?? "-")",
                ])
            Observability.recordProviderCall("twilio", response.status.code == 429 ? "busy" : "error")
            if twilioCode == 21211 || twilioCode == 21614 {
                throw APIError(.phoneInvalid, detail: "This number cannot receive SMS.")
            }
            throw ProviderFailure.unavailable
        }
        Observability.recordProviderCall("twilio", "ok")
    }

    static func formEncode(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
    }
}

enum ProviderFailure: Error {
    case unavailable
    case busy
}

/// Retell's create-phone-call (PROVIDERS.md). Never retried automatically: Retell takes no
/// idempotency key, so a retry could place a second real call.
struct RetellClient: Sendable {
    let baseURL: String
    let apiKey: String
    let agentID: String?
    let fromNumber: String
    let http: HTTPClient
    let logger: Logger
    var timeout: TimeAmount = .seconds(10)

    struct CreatedCall: Decodable {
        var call_id: String
        var call_status: String?
    }

    func createPhoneCall(to phone: String, userID: String, openTodos: [String]) async throws -> CreatedCall {
        var request = HTTPClientRequest(url: "\(baseURL)/v2/create-phone-call")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        request.headers.add(name: "Content-Type", value: "application/json")
        var body: [String: Any] = [
            "from_number": fromNumber, "to_number": phone, "metadata": ["user_id": userID],
            "retell_llm_dynamic_variables": [
                "open_todos": openTodos.isEmpty
                    ? "No open to-dos." : openTodos.map { "- \($0)" }.joined(separator: "\n"),
                "open_todo_count": String(openTodos.count),
            ],
        ]
        if let agentID { body["override_agent_id"] = agentID }
        request.body = .bytes(
            ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])))
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: timeout)
        } catch {
            logger.warning("retell request failed", metadata: ["provider": "retell", "outcome": "unreachable"])
            Observability.recordProviderCall("retell", "unreachable")
            throw ProviderFailure.unavailable
        }
        let bytes = try? await response.body.collect(upTo: 256 * 1024)
        switch response.status.code {
        case 200, 201:
            guard let bytes, let call = try? JSONDecoder().decode(CreatedCall.self, from: Data(buffer: bytes)) else {
                logger.warning(
                    "retell answered an unreadable call", metadata: ["provider": "retell", "outcome": "bad_response"])
                Observability.recordProviderCall("retell", "error")
                throw ProviderFailure.unavailable
            }
            Observability.recordProviderCall("retell", "ok")
            return call
        case 429:
            logger.notice("retell is at its concurrency limit", metadata: ["provider": "retell", "outcome": "busy"])
            Observability.recordProviderCall("retell", "busy")
            throw ProviderFailure.busy
        default:
            logger.warning(
                "retell refused the call",
                metadata: ["provider": "retell", "outcome": "error", "status": "\(response.status.code)"])
            Observability.recordProviderCall("retell", "error")
            throw ProviderFailure.unavailable
        }
    }
}

/// Retell's webhook signature, exactly as the official SDKs verify it:
/// `x-retell-signature: v=<unix ms>,d=<hex HMAC-SHA256(key, body + timestamp)>`, fresh within 5 minutes.
public enum RetellSignature {
    public static func isValid(header: String?, body: Data, apiKey: String, now: Date = Date()) -> Bool {
        guard let header, let match = header.wholeMatch(of: /v=([0-9]{1,15}),d=([0-9a-f]{64})/),
            let timestamp = Int64(match.1)
        else { return false }
        let nowMillis = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        guard abs(nowMillis - timestamp) <= 300_000 else { return false }
        return Secrets.constantTimeEquals(
            digest(body: body, timestamp: String(match.1), apiKey: apiKey), String(match.2))
    }

    public static func digest(body: Data, timestamp: String, apiKey: String) -> String {
        Secrets.hmacHex(key: apiKey, message: body + Data(timestamp.utf8))
    }

    public static func header(body: Data, apiKey: String, now: Date = Date()) -> String {
        let timestamp = String(Int64((now.timeIntervalSince1970 * 1000).rounded(.down)))
        return "v=\(timestamp),d=\(digest(body: body, timestamp: timestamp, apiKey: apiKey))"
    }
}
