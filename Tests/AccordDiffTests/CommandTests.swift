import AccordDiff
import Foundation
import Testing

/// `accord diff` as a user runs it: the built binary, real files, a real git repository.
@Suite("accord diff command", .serialized)
struct CommandTests {
    static let accord = BehaviourTests.repository.appendingPathComponent(".build/debug/accord").path

    struct Run {
        var status: Int32
        var out: String
        var err: String
    }

    static func run(_ arguments: [String], in directory: String) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: accord)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, out: String(decoding: outData, as: UTF8.self),
            err: String(decoding: errData, as: UTF8.self))
    }

    static func shell(_ command: String, in directory: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw FixtureError.unreadable("failed: \(command)") }
    }

    /// A folder with base.yaml, revision.yaml (a required response member removed, a request
    /// member added as optional) and an accord.yaml.
    static func project(accept: String = "") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("accord-diff-cli-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try fixtureSpec(.v31, edits: []).write(toFile: dir + "/base.yaml", atomically: true, encoding: .utf8)
        let revision = try fixtureSpec(
            .v31,
            edits: [
                ("      required: [id, name, count]", "      required: [id, count]"),
                ("        name: { type: string }\n        note", "        note"),
                (
                    "        name: { type: string, maxLength: 50 }\n        note: { type: string }",
                    "        name: { type: string, maxLength: 50 }\n        note: { type: string }\n"
                        + "        color: { type: string }"
                ),
            ])
        try revision.write(toFile: dir + "/revision.yaml", atomically: true, encoding: .utf8)
        try "spec: revision.yaml\nname: Fixture\n\(accept)".write(
            toFile: dir + "/accord.yaml", atomically: true, encoding: .utf8)
        return dir
    }

    @Test("a wire break exits 1 and names the rule, the verdicts and both locations")
    func wireBreakExits1() throws {
        let dir = try Self.project()
        let run = try Self.run(["diff", "base.yaml", "revision.yaml"], in: dir)
        #expect(run.status == 1, "\(run.out)\(run.err)")
        #expect(run.out.contains("getItem  GET /items/{item_id}"))
        #expect(
            run.out.contains(
                "wire breaking source breaking response-required-property-removed: response member `name` of `Item` "
                    + "is gone (the old client requires it) (also createItem)  base base.yaml:"))
        #expect(
            run.out.contains(
                "wire safe     source safe     request-property-added-optional: optional request member `color` of "
                    + "`ItemCreate` is new  base -  revision revision.yaml:"))
        #expect(run.out.hasSuffix("2 changes: 1 wire-breaking, 1 source-breaking\n"))
    }

    @Test("no change exits 0; --fail-on source fails on a source-only break")
    func exitStatuses() throws {
        let dir = try Self.project()
        #expect(try Self.run(["diff", "base.yaml", "base.yaml"], in: dir).status == 0)
        let renamed = try fixtureSpec(.v31, edits: [("operationId: getItem", "operationId: fetchItem")])
        try renamed.write(toFile: dir + "/renamed.yaml", atomically: true, encoding: .utf8)
        #expect(try Self.run(["diff", "base.yaml", "renamed.yaml"], in: dir).status == 0)
        #expect(try Self.run(["diff", "base.yaml", "renamed.yaml", "--fail-on", "source"], in: dir).status == 1)
    }

    @Test("unreadable input exits 2 with a located diagnostic, never a crash")
    func unreadable() throws {
        let dir = try Self.project()
        try "openapi: 3.1.0\ninfo: [oops\n".write(toFile: dir + "/broken.yaml", atomically: true, encoding: .utf8)
        let broken = try Self.run(["diff", "base.yaml", "broken.yaml"], in: dir)
        #expect(broken.status == 2)
        #expect(broken.err.hasPrefix("broken.yaml:3:1: error: malformed YAML"), "\(broken.err)")
        let missing = try Self.run(["diff", "nothing-here", "base.yaml"], in: dir)
        #expect(missing.status == 2)
        #expect(missing.err.contains("'nothing-here' is neither a spec file nor a git revision"), "\(missing.err)")
    }

    @Test("--format json: top-level verdicts and a changes array with ids, verdicts, places")
    func json() throws {
        let dir = try Self.project()
        let run = try Self.run(["diff", "base.yaml", "revision.yaml", "--format", "json"], in: dir)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any])
        #expect(object["wire_breaking"] as? Bool == true)
        #expect(object["source_breaking"] as? Bool == true)
        let changes = try #require(object["changes"] as? [[String: Any]])
        #expect(changes.count == 2)
        let removed = try #require(changes.first { $0["id"] as? String == "response-required-property-removed" })
        #expect(removed["wire"] as? String == "breaking")
        #expect(removed["source"] as? String == "breaking")
        #expect(removed["operation"] as? String == "getItem")
        #expect(removed["pointer"] as? String == "/components/schemas/Item/properties/name")
        #expect((removed["base"] as? String)?.hasPrefix("base.yaml:") == true)
        #expect(removed["revision"] is NSNull)
        #expect(removed["also_affects"] as? [String] == ["createItem"])
    }

    @Test("every format renders: markdown, junit, github, changelog")
    func formats() throws {
        let dir = try Self.project()
        let markdown = try Self.run(["diff", "base.yaml", "revision.yaml", "--format", "markdown"], in: dir).out
        #expect(markdown.contains("**Breaks apps already installed.**"))
        #expect(markdown.contains("| ❌ | getItem | `response-required-property-removed` |"))
        let junit = try Self.run(["diff", "base.yaml", "revision.yaml", "--format", "junit"], in: dir).out
        #expect(junit.contains("<testsuites name=\"accord diff\" tests=\"2\" failures=\"1\">"))
        let github = try Self.run(["diff", "base.yaml", "revision.yaml", "--format", "github"], in: dir).out
        #expect(
            github.contains(
                "::error title=response-required-property-removed (wire breaking%2C source breaking)::getItem: "))
        #expect(github.contains("::notice file=revision.yaml,line="))
        let changelog = try Self.run(["diff", "base.yaml", "revision.yaml", "--format", "changelog"], in: dir).out
        #expect(changelog.contains("### Added\n\n- `createItem` (`POST /items`): optional request member `color`"))
        #expect(
            changelog.contains(
                "### Removed\n\n- `getItem` (`GET /items/{item_id}`): response member `name` of `Item` is gone"))
    }

    @Test("accept: a reviewed break is reported as accepted and does not fail; a stale entry is said")
    func acceptance() throws {
        let dir = try Self.project(
            accept: """
                accept:
                  - rule: response-required-property-removed
                    operation: createItem
                    reason: name moved to the detail call; 1.0 never shipped
                  - rule: operation-removed
                    operation: nothing
                    reason: stale
                """)
        let run = try Self.run(["diff", "base.yaml", "revision.yaml"], in: dir)
        #expect(run.status == 0, "\(run.out)\(run.err)")
        #expect(run.out.contains("[accepted: name moved to the detail call; 1.0 never shipped]"))
        #expect(run.out.contains("warning: accept entry operation-removed on nothing matches no change"))
        let bad = try Self.project(accept: "accept:\n  - rule: no-such-rule\n    reason: x\n")
        let refused = try Self.run(["diff", "base.yaml", "revision.yaml"], in: bad)
        #expect(refused.status == 2)
        #expect(refused.err.hasPrefix("accord.yaml:4:11: error: unknown rule 'no-such-rule'"), "\(refused.err)")
    }

    @Test(
        """
        git revisions: REV of the configured spec, REV:PATH, and the working tree by default; \
        relative $refs at a revision
        """
    )
    func gitRevisions() throws {
        let dir = try Self.project()
        // The spec in two files, so the revision's relative $ref is read from git too.
        let split = try fixtureSpec(
            .v31,
            edits: [
                (
                    "    Circle:\n      type: object\n      required: [kind, r]\n"
                        + "      properties: { kind: { type: string }, r: { type: number } }\n",
                    "    Circle: { $ref: 'shapes.yaml#/Circle' }\n"
                )
            ])
        try split.write(toFile: dir + "/revision.yaml", atomically: true, encoding: .utf8)
        try
            ("Circle:\n  type: object\n  required: [kind, r]\n"
            + "  properties: { kind: { type: string }, r: { type: number } }\n")
            .write(toFile: dir + "/shapes.yaml", atomically: true, encoding: .utf8)
        try Self.shell("git init -q . && git add -A && git -c user.email=t@t -c user.name=t commit -qm one", in: dir)
        // Working tree: Circle loses `r` (a required response member).
        try "Circle:\n  type: object\n  required: [kind]\n  properties: { kind: { type: string } }\n"
            .write(toFile: dir + "/shapes.yaml", atomically: true, encoding: .utf8)

        let moved = try Self.run(["diff", "base.yaml", "HEAD"], in: dir)
        #expect(moved.status == 0, "a schema moved into another file is no change:\n\(moved.out)\(moved.err)")
        #expect(moved.out.contains("no changes"))
        let working = try Self.run(["diff", "HEAD"], in: dir)
        #expect(working.status == 1, "\(working.out)\(working.err)")
        // The generator names the file's schema `Circle2` (components keep `Circle` as its alias).
        #expect(working.out.contains("response-required-property-removed: response member `r` of `Circle2` is gone"))
        #expect(working.out.contains("base HEAD:shapes.yaml:4:41  revision -"), "\(working.out)")
        let explicit = try Self.run(["diff", "HEAD:revision.yaml", "revision.yaml"], in: dir)
        #expect(explicit.status == 1)
    }
}
