import AccordSpec
import Foundation

/// Reads the exchanges of a HAR 1.2 file (Proxyman, Charles, Safari's Web Inspector export).
public enum HARImport {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The entries in recorded order; only those under `baseURL` when given (others are the app's other traffic).
    public static func exchanges(
        _ data: Data, file: String, baseURL: String? = nil
    ) throws -> [(WireRequest, WireResponse)] {
        guard let text = String(data: data, encoding: .utf8) else {
            throw Failure(description: "\(file): not UTF-8 text")
        }
        let root: SpecNode
        do { root = try SpecParser.parse(text, file: file) } catch { throw Failure(description: "\(error)") }
        guard let entries = root["log"]?["entries"]?.array else {
            throw Failure(description: "\(file): not a HAR file (no log.entries)")
        }
        var out: [(WireRequest, WireResponse)] = []
        for entry in entries {
            guard let request = entry["request"], let response = entry["response"],
                let method = request["method"]?.string, let url = request["url"]?.string,
                let components = URLComponents(string: url), let status = response["status"]?.int
            else {
                throw Failure(
                    description: "\(entry.location): an entry without request.method, request.url or response.status")
            }
            if let baseURL, !url.hasPrefix(baseURL) { continue }
            // A HAR status 0 is a request that never got an answer: nothing to replay.
            if status == 0 { continue }
            var basePath = ""
            if let baseURL, let base = URLComponents(string: baseURL) {
                basePath = base.path.hasSuffix("/") ? String(base.path.dropLast()) : base.path
            }
            var target = String(components.percentEncodedPath.dropFirst(basePath.count))
            if target.isEmpty { target = "/" }
            if let query = components.percentEncodedQuery, !query.isEmpty { target += "?" + query }
            let requestHeaders = headers(request["headers"])
            var body: Data?
            if let post = request["postData"], let text = post["text"]?.string, !text.isEmpty {
                body = Data(text.utf8)
            }
            var responseBody = Data()
            if let content = response["content"], let text = content["text"]?.string {
                if content["encoding"]?.string == "base64" {
                    responseBody = Data(base64Encoded: text) ?? Data()
                } else {
                    responseBody = Data(text.utf8)
                }
            }
            var responseHeaders = headers(response["headers"])
            if let mime = response["content"]?["mimeType"]?.string,
                !responseHeaders.contains(where: { $0.name.lowercased() == "content-type" }), !mime.isEmpty
            {
                responseHeaders.append(("Content-Type", mime))
            }
            out.append(
                (
                    WireRequest(method: method.uppercased(), target: target, headers: requestHeaders, body: body),
                    WireResponse(status: status, headers: responseHeaders, body: responseBody)
                ))
        }
        return out
    }

    private static func headers(_ node: SpecNode?) -> [(name: String, value: String)] {
        (node?.array ?? []).compactMap { header in
            guard let name = header["name"]?.string, let value = header["value"]?.string else { return nil }
            // HTTP/2 pseudo-headers (":authority") are transport, not part of the exchange.
            return name.hasPrefix(":") ? nil : (name, value)
        }
    }
}
