import AccordSpec
import Foundation

/// The output formats of `accord diff`. Pure: each turns a result into text.
public enum DiffFormat: String, Sendable, CaseIterable {
    case text, json, markdown, junit, github, changelog
}

public enum DiffReport {
    public static func render(_ result: DiffResult, as format: DiffFormat, failOnSource: Bool = false) -> String {
        switch format {
        case .text: text(result)
        case .json: json(result)
        case .markdown: markdown(result)
        case .junit: junit(result, failOnSource: failOnSource)
        case .github: github(result, failOnSource: failOnSource)
        case .changelog: changelog(result)
        }
    }

    /// Changes grouped by operation, document-wide ones (servers, catalog) first; groups and
    /// changes in spec order.
    static func groups(_ changes: [SpecChange]) -> [(title: String, changes: [SpecChange])] {
        var order: [String] = []
        var byGroup: [String: [SpecChange]] = [:]
        for change in changes {
            let title = change.operation.map { op in change.endpoint.map { "\(op)  \($0)" } ?? op } ?? "(whole API)"
            if byGroup[title] == nil { order.append(title) }
            byGroup[title, default: []].append(change)
        }
        order = order.filter { $0 == "(whole API)" } + order.filter { $0 != "(whole API)" }
        return order.map { ($0, byGroup[$0]!) }
    }

    static func place(_ location: SourceLocation?) -> String { location?.description ?? "-" }

    static func summary(_ result: DiffResult) -> String {
        let wire = result.changes.filter { $0.wire == .breaking && !$0.isAccepted }.count
        let source = result.changes.filter { $0.source == .breaking && !$0.isAccepted }.count
        let accepted = result.changes.filter(\.isAccepted).count
        let n = result.changes.count
        return "\(n) change\(n == 1 ? "" : "s"): \(wire) wire-breaking, \(source) source-breaking"
            + (accepted > 0 ? ", \(accepted) accepted" : "")
    }

    // MARK: text

    static func text(_ result: DiffResult) -> String {
        var out = "accord diff \(result.baseName) → \(result.revisionName)\n"
        if result.changes.isEmpty { return out + "no changes\n" }
        for group in groups(result.changes) {
            out += "\n\(group.title)\n"
            for c in group.changes {
                let accepted = c.acceptedBecause.map { " [accepted: \($0)]" } ?? ""
                let also = c.alsoAffects.isEmpty ? "" : " (also \(c.alsoAffects.joined(separator: ", ")))"
                out +=
                    "  wire \(c.wire.rawValue.padding(8)) source \(c.source.rawValue.padding(8)) "
                    + "\(c.rule): \(c.message)"
                    + "\(also)\(accepted)  base \(place(c.base))  revision \(place(c.revision))\n"
            }
        }
        for a in result.unusedAcceptances {
            out +=
                "\nwarning: accept entry \(a.rule)\(a.operation.map { " on \($0)" } ?? "") matches no change"
                + (a.location.map { " (\($0))" } ?? "") + "\n"
        }
        return out + "\n" + summary(result) + "\n"
    }

    // MARK: json

    static func json(_ result: DiffResult) -> String {
        // Every key is always there: a missing place or operation is `null`.
        func value(_ text: String?) -> Any { text ?? NSNull() }
        let changes: [[String: Any]] = result.changes.map { c in
            [
                "id": c.rule, "kind": c.kind.rawValue, "wire": c.wire.rawValue, "source": c.source.rawValue,
                "operation": value(c.operation), "endpoint": value(c.endpoint), "also_affects": c.alsoAffects,
                "pointer": c.pointer, "message": c.message, "base": value(c.base?.description),
                "revision": value(c.revision?.description), "accepted": c.isAccepted,
                "accepted_reason": value(c.acceptedBecause),
            ]
        }
        let object: [String: Any] = [
            "base": result.baseName, "revision": result.revisionName, "wire_breaking": result.wireBreaking,
            "source_breaking": result.sourceBreaking, "changes": changes,
            "unused_acceptances": result.unusedAcceptances.map { ["rule": $0.rule, "operation": value($0.operation)] },
        ]
        // Strings, booleans, arrays and null only: serialization cannot fail.
        let data =
            (try? JSONSerialization.data(
                withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]))
            ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    // MARK: markdown (a pull-request comment)

    static func markdown(_ result: DiffResult) -> String {
        var out = "### API changes: \(result.baseName) → \(result.revisionName)\n\n"
        if result.changes.isEmpty { return out + "No changes to the API.\n" }
        let verdict =
            result.wireBreaking
            ? "**Breaks apps already installed.** "
                + "A server built from this revision would break apps built from the base."
            : "Installed apps keep working."
        out +=
            verdict + (result.sourceBreaking ? " Regenerating the client will need changes in the app's code." : "")
            + "\n\n"
        out += "| | operation | rule | change | wire | source |\n|---|---|---|---|---|---|\n"
        let important = result.changes.filter { $0.wire == .breaking || $0.source == .breaking }
        for c in important {
            let mark = c.isAccepted ? "✅ accepted" : (c.wire == .breaking ? "❌" : "⚠️")
            out +=
                "| \(mark) | \(cell(c.operation ?? "—")) | `\(c.rule)` | \(cell(c.message)) | "
                + "\(c.wire.rawValue) | \(c.source.rawValue) |\n"
        }
        let safe = result.changes.filter { $0.wire == .safe && $0.source == .safe }
        if !safe.isEmpty {
            out += "\n<details><summary>\(safe.count) safe change\(safe.count == 1 ? "" : "s")</summary>\n\n"
            for c in safe { out += "- `\(c.rule)` \(c.operation.map { "`\($0)`: " } ?? "")\(c.message)\n" }
            out += "\n</details>\n"
        }
        return out + "\n" + summary(result) + "\n"
    }

    private static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    // MARK: junit

    static func junit(_ result: DiffResult, failOnSource: Bool) -> String {
        func failing(_ c: SpecChange) -> Bool {
            !c.isAccepted && (c.wire == .breaking || (failOnSource && c.source == .breaking))
        }
        let failures = result.changes.filter(failing).count
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"accord diff\" tests=\"\(result.changes.count)\" failures=\"\(failures)\">\n"
        out +=
            "  <testsuite name=\"\(xml(result.baseName)) → \(xml(result.revisionName))\" "
            + "tests=\"\(result.changes.count)\" failures=\"\(failures)\">\n"
        for c in result.changes {
            let name = "\(c.operation ?? "api") \(c.rule) \(c.pointer)"
            out += "    <testcase classname=\"\(xml(c.operation ?? "api"))\" name=\"\(xml(name))\""
            if failing(c) {
                out +=
                    ">\n      <failure message=\"\(xml(c.message))\" type=\"\(c.rule)\">wire \(c.wire.rawValue), "
                    + "source \(c.source.rawValue)\nbase \(xml(place(c.base)))\n"
                    + "revision \(xml(place(c.revision)))</failure>\n    </testcase>\n"
            } else {
                out += " />\n"
            }
        }
        return out + "  </testsuite>\n</testsuites>\n"
    }

    private static func xml(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    // MARK: github (workflow annotations)

    static func github(_ result: DiffResult, failOnSource: Bool) -> String {
        var out = ""
        for c in result.changes {
            let level: String
            if c.isAccepted || (c.wire == .safe && c.source == .safe) {
                level = "notice"
            } else if c.wire == .breaking || (failOnSource && c.source == .breaking) {
                level = "error"
            } else {
                level = "warning"
            }
            var properties: [String] = []
            // Annotations point into the files of the revision under review.
            if let location = c.revision {
                properties += [
                    "file=\(escapeProperty(location.file))", "line=\(location.line)", "col=\(location.column)",
                ]
            }
            properties.append(
                "title=\(escapeProperty("\(c.rule) (wire \(c.wire.rawValue), source \(c.source.rawValue))"))")
            let message =
                (c.operation.map { "\($0): " } ?? "") + c.message
                + (c.acceptedBecause.map { " [accepted: \($0)]" } ?? "")
            out += "::\(level) \(properties.joined(separator: ","))::\(escapeData(message))\n"
        }
        return out
    }

    private static func escapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    private static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }

    // MARK: changelog

    static func changelog(_ result: DiffResult) -> String {
        var out = "## API changes (\(result.baseName) → \(result.revisionName))\n"
        if result.changes.isEmpty { return out + "\nNo changes.\n" }
        for kind in [ChangeKind.added, .changed, .deprecated, .removed] {
            let entries = result.changes.filter { $0.kind == kind }
            guard !entries.isEmpty else { continue }
            out += "\n### \(kind.rawValue.capitalized)\n\n"
            for c in entries {
                var notes: [String] = []
                if c.wire == .breaking { notes.append("breaks installed apps") }
                if c.source == .breaking { notes.append("needs app code changes") }
                if c.isAccepted { notes.append("accepted") }
                let subject = c.operation.map { op in "`\(op)`" + (c.endpoint.map { " (`\($0)`)" } ?? "") + ": " } ?? ""
                out += "- \(subject)\(c.message)\(notes.isEmpty ? "" : " — " + notes.joined(separator: ", "))\n"
            }
        }
        return out
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
