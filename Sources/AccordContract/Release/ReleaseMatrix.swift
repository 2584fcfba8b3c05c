import Foundation

/// `accord verify --releases`: one row per release (main's exchanges first), and the verdict that
/// is the deploy gate.
public struct ReleaseMatrix: Sendable {
    public struct Failure: Sendable, Equatable {
        public var scenario: String
        public var step: Int
        public var pointer: String
        public var message: String
        /// `replay` (the exchange against the server) or `decode` (the frozen client on the live answer).
        public var stage: String

        public init(scenario: String, step: Int, pointer: String, message: String, stage: String) {
            self.scenario = scenario
            self.step = step
            self.pointer = pointer
            self.message = message
            self.stage = stage
        }
    }

    public struct Row: Sendable {
        public enum Verdict: String, Sendable {
            case pass, fail, warn, skipped
        }

        public var app: String
        public var version: String
        /// The release's status, or `main`.
        public var status: String
        public var verdict: Verdict
        /// Why it was skipped or only warns.
        public var note: String?
        public var replayScenarios = 0
        public var replayPassed = 0
        public var replaySteps = 0
        public var decodeChecked = 0
        public var decodeFailed = 0
        public var decodeNotExpressible = 0
        public var failures: [Failure] = []
        public var seconds: Double = 0
        /// Where the static diff and the replay disagree (coverage gaps, a server that drifted).
        public var analysis: [String] = []

        public init(app: String, version: String, status: String, verdict: Verdict, note: String? = nil) {
            self.app = app
            self.version = version
            self.status = status
            self.verdict = verdict
            self.note = note
        }
    }

    public var rows: [Row]

    public init(rows: [Row]) { self.rows = rows }

    public var deployable: Bool { !rows.contains { $0.verdict == .fail } }

    /// Failure lines of a scenario result as matrix failures: `pointer: message` is split apart.
    public static func failures(_ results: [ScenarioResult], stage: String) -> [Failure] {
        results.flatMap { result in
            result.steps.flatMap { step -> [Failure] in
                guard case .failed(let messages) = step.outcome else { return [] }
                return messages.map { message in
                    var pointer = "", text = message
                    if message.hasPrefix("/"), let colon = message.range(of: ": ") {
                        pointer = String(message[..<colon.lowerBound])
                        text = String(message[colon.upperBound...])
                    }
                    return Failure(
                        scenario: result.scenario, step: step.number, pointer: pointer, message: text, stage: stage)
                }
            }
        }
    }

    // MARK: Formats

    public func text() -> String {
        var out = "Releases against the server under test\n\n"
        out +=
            "  \("app".padded(6)) \("version".padded(10)) \("status".padded(10)) \("verdict".padded(8)) "
            + "replay (scenarios)   decode (steps)\n"
        for row in rows {
            let replay = row.verdict == .skipped ? "-" : "\(row.replayPassed)/\(row.replayScenarios) passed"
            let decode =
                row.verdict == .skipped || row.version == "main" && row.decodeChecked == 0
                ? "-" : "\(row.decodeChecked - row.decodeFailed)/\(row.decodeChecked) decoded"
            out +=
                "  \(row.app.padded(6)) \(row.version.padded(10)) \(row.status.padded(10)) "
                + "\(row.verdict.rawValue.padded(8)) "
                + "\(replay.padded(20)) \(decode)\(row.note.map { "   (\($0))" } ?? "")\n"
        }
        for row in rows where !row.failures.isEmpty || !row.analysis.isEmpty {
            out += "\n\(row.app) \(row.version) (\(row.verdict.rawValue)):\n"
            for f in row.failures {
                out +=
                    "  \(f.stage) \(f.scenario) step \(f.step): "
                    + "\(f.pointer.isEmpty ? "" : f.pointer + ": ")\(f.message)\n"
            }
            for line in row.analysis { out += "  note: \(line)\n" }
        }
        out +=
            "\n" + (deployable ? "deployable: every supported release passes" : "blocked: a supported release fails")
            + "\n"
        return out
    }

    public func markdown() -> String {
        var out = "### Can this server be deployed? \(deployable ? "✅ deployable" : "❌ blocked")\n\n"
        out += "| app | version | status | verdict | replay | decode |\n|---|---|---|---|---|---|\n"
        for row in rows {
            let replay = row.verdict == .skipped ? "—" : "\(row.replayPassed)/\(row.replayScenarios)"
            let decode =
                row.verdict == .skipped ? "—" : "\(row.decodeChecked - row.decodeFailed)/\(row.decodeChecked)"
            out +=
                "| \(row.app) | \(row.version) | \(row.status) | "
                + "\(row.verdict.rawValue)\(row.note.map { " (\($0))" } ?? "") "
                + "| \(replay) | \(decode) |\n"
        }
        for row in rows where !row.failures.isEmpty || !row.analysis.isEmpty {
            out += "\n**\(row.app) \(row.version)**\n\n"
            for f in row.failures.prefix(50) {
                out +=
                    "- \(f.stage) `\(f.scenario)` step \(f.step)"
                    + "\(f.pointer.isEmpty ? "" : " `\(f.pointer)`"): \(f.message)\n"
            }
            for line in row.analysis { out += "- note: \(line)\n" }
        }
        return out
    }

    public func json() -> String {
        let releases: [[String: Any]] = rows.map { row in
            var item: [String: Any] = [
                "app": row.app, "version": row.version, "status": row.status, "verdict": row.verdict.rawValue,
                "replay": ["scenarios": row.replayScenarios, "passed": row.replayPassed, "steps": row.replaySteps],
                "decode": [
                    "checked": row.decodeChecked, "failed": row.decodeFailed,
                    "not_expressible": row.decodeNotExpressible,
                ],
                "failures": row.failures.map {
                    [
                        "scenario": $0.scenario, "step": $0.step, "pointer": $0.pointer, "message": $0.message,
                        "stage": $0.stage,
                    ]
                },
            ]
            item["note"] = row.note ?? NSNull()
            item["analysis"] = row.analysis
            return item
        }
        let object: [String: Any] = ["verdict": deployable ? "deployable" : "blocked", "releases": releases]
        let data =
            (try? JSONSerialization.data(
                withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]))
            ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    public func junit() -> String {
        func xml(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        let failing = rows.filter { $0.verdict == .fail }.count
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"accord verify --releases\" tests=\"\(rows.count)\" failures=\"\(failing)\">\n"
        out += "  <testsuite name=\"releases\" tests=\"\(rows.count)\" failures=\"\(failing)\">\n"
        for row in rows {
            out +=
                "    <testcase classname=\"\(xml(row.app))\" name=\"\(xml(row.version))\" "
                + "time=\"\(String(format: "%.2f", row.seconds))\""
            switch row.verdict {
            case .fail:
                let lines = row.failures.map {
                    "\($0.stage) \($0.scenario) step \($0.step): \($0.pointer) \($0.message)"
                }
                out +=
                    ">\n      <failure message=\"\(row.failures.count) failure(s)\">"
                    + "\(xml(lines.joined(separator: "\n")))</failure>\n"
                out += "    </testcase>\n"
            case .skipped:
                out += ">\n      <skipped message=\"\(xml(row.note ?? "skipped"))\"/>\n    </testcase>\n"
            case .pass, .warn:
                out += " />\n"
            }
        }
        return out + "  </testsuite>\n</testsuites>\n"
    }
}

extension String {
    /// Left-aligned in a column of `width` characters.
    public func padded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
