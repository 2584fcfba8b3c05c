import Foundation

/// The readable summary and the JUnit XML of a verify run.
public enum Report {
    /// One line per scenario, then every difference with its scenario, step and pointer.
    public static func summary(_ results: [ScenarioResult], title: String) -> String {
        var lines = [title]
        let width = max(8, results.map(\.scenario.count).max() ?? 0)
        for result in results {
            let ran = result.steps.filter { $0.outcome != .notRun }.count
            let status = result.passed ? "pass" : "FAIL"
            lines.append(
                "  \(status)  " + result.scenario.padding(toLength: width, withPad: " ", startingAt: 0)
                    + "  \(ran)/\(result.steps.count) steps  " + String(format: "%.2fs", result.seconds))
        }
        let failures = results.flatMap(\.failureLines)
        if !failures.isEmpty {
            lines.append("")
            lines += failures.map { "  " + $0 }
        }
        let passed = results.filter(\.passed).count
        lines.append("\(passed)/\(results.count) scenarios passed")
        return lines.joined(separator: "\n")
    }

    /// JUnit XML: one test suite, one test case per scenario step.
    public static func junit(_ results: [ScenarioResult], suite: String) -> String {
        let cases = results.flatMap { result in result.steps.map { (result, $0) } }
        let failures = cases.filter {
            if case .failed = $0.1.outcome { return true }; return false
        }.count
        let skipped = cases.filter { $0.1.outcome == .notRun }.count
        let time = results.reduce(0) { $0 + $1.seconds }
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        xml += #"<testsuites name="\#(escape(suite))" tests="\#(cases.count)" failures="\#(failures)" "#
        xml += #"skipped="\#(skipped)" time="\#(String(format: "%.3f", time))">"# + "\n"
        for result in results {
            let steps = result.steps
            let failed = steps.filter {
                if case .failed = $0.outcome { return true }; return false
            }.count
            let skippedSteps = steps.filter { $0.outcome == .notRun }.count
            xml += #"  <testsuite name="\#(escape(result.scenario))" file="\#(escape(result.file))" "#
            xml += #"tests="\#(steps.count)" failures="\#(failed)" skipped="\#(skippedSteps)" "#
            xml += #"time="\#(String(format: "%.3f", result.seconds))">"# + "\n"
            for step in steps {
                let name = (step.number == 0 ? "state" : "step \(step.number)") + ": " + (step.name ?? step.label)
                xml += #"    <testcase classname="\#(escape(result.scenario))" name="\#(escape(name))""#
                switch step.outcome {
                case .passed: xml += "/>\n"
                case .notRun: xml += ">\n      <skipped message=\"an earlier step failed\"/>\n    </testcase>\n"
                case .failed(let messages):
                    let message = escape(messages.first ?? "")
                    let details = escape(messages.joined(separator: "\n"))
                    xml += ">\n      <failure message=\"\(message)\">\(details)</failure>\n    </testcase>\n"
                }
            }
            xml += "  </testsuite>\n"
        }
        return xml + "</testsuites>\n"
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n": out += "&#10;"
            case let c where c.value < 0x20 && c != "\t": break
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
