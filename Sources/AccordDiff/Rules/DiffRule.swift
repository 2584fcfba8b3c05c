import AccordCodegen

/// Whether a change breaks an app: `breaking` or `safe`.
public enum Verdict: String, Sendable, Codable, Comparable {
    case safe, breaking

    public static func < (lhs: Verdict, rhs: Verdict) -> Bool { lhs == .safe && rhs == .breaking }
}

/// How a rule's source verdict is found.
public enum SourceJudgement: Sendable, Equatable {
    case fixed(Verdict)
    /// Breaking when the Swift declaration the app's code uses changes (compared on the
    /// generated surface: a type, an optionality, an argument list, a case list).
    case whenSwiftChanges
}

/// What a change does to the API, for the changelog.
public enum ChangeKind: String, Sendable, Codable {
    case added, changed, deprecated, removed
}

/// One row of the rule table: what is detected, and both verdicts with the reason for each.
public struct DiffRule: Sendable {
    public var id: String
    public var kind: ChangeKind
    public var summary: String
    public var wire: Verdict
    public var wireReason: String
    public var source: SourceJudgement
    public var sourceReason: String
}

extension DiffRule {
    /// The rule table, judged by what the generated client does (`ClientBehaviour`): the single
    /// source of docs/DIFF.md and of every verdict `accord diff` gives.
    public static func table(_ behaviour: ClientBehaviour = .current) -> [DiffRule] {
        let b = behaviour
        func r(
            _ id: String, _ kind: ChangeKind, _ summary: String, wire: Verdict, _ wireReason: String,
            source: SourceJudgement, _ sourceReason: String
        ) -> DiffRule {
            DiffRule(
                id: id, kind: kind, summary: summary, wire: wire, wireReason: wireReason, source: source,
                sourceReason: sourceReason)
        }
        let unknownMembers: Verdict = b.ignoresUnknownMembers ? .safe : .breaking
        let openEnum: Verdict = b.enumsAreOpen ? .safe : .breaking
        return [
            // Document
            r(
                "server-url-removed", .removed, "a server URL is gone", wire: .breaking,
                "installed apps keep calling the URL they were built with",
                source: .fixed(.safe), b.baseURLSuppliedByApp ? "the app passes the base URL to the client" : "—"),
            r(
                "server-url-added", .added, "a server URL is new", wire: .safe, "old apps keep their URL",
                source: .fixed(.safe), "nothing generated changes"),

            // Operations
            r(
                "operation-removed", .removed, "an operation is gone (deprecated or not)", wire: .breaking,
                "installed apps still call it and get 404 or 405", source: .fixed(.breaking),
                "its client method is gone"),
            r(
                "operation-added", .added, "an operation is new", wire: .safe, "old apps never call it",
                source: .fixed(.safe), "a new client method"),
            r(
                "operation-became-webhook", .removed, "an operation is now a webhook (`x-webhook`)", wire: .safe,
                "the server still routes it", source: .fixed(.breaking), "its client method is gone"),
            r(
                "operation-no-longer-webhook", .added, "a webhook is now an operation apps call", wire: .safe,
                "old apps never call it", source: .fixed(.safe), "a new client method"),
            r(
                "operation-deprecated", .deprecated, "an operation is now deprecated", wire: .safe, "it still answers",
                source: .fixed(.safe), "`@available(*, deprecated)`: a warning, not an error"),
            r(
                "operation-undeprecated", .changed, "an operation is no longer deprecated", wire: .safe,
                "it still answers",
                source: .fixed(.safe), "the warning goes away"),
            r(
                "operation-id-changed", .changed, "an operationId is renamed", wire: .safe,
                "the wire is method and path, which are the same", source: .whenSwiftChanges,
                "the operationId is the client method's name"),
            r(
                "method-signature-changed", .changed, "a client method's arguments change order or label", wire: .safe,
                "parameters travel by name", source: .fixed(.breaking),
                "Swift calls name their arguments in declaration order"),

            // Security
            r(
                "security-added", .changed, "a public operation now needs credentials", wire: .breaking,
                "old apps send none and get 401", source: .fixed(.safe),
                b.credentialsSuppliedByApp ? "the app's token provider supplies them" : "—"),
            r(
                "security-removed", .changed, "an operation no longer needs credentials", wire: .safe,
                "credentials sent anyway are not refused", source: .fixed(.safe), "nothing the app calls changes"),
            r(
                "security-scheme-changed", .changed, "an operation needs another security scheme", wire: .breaking,
                "old apps send the credentials of the old scheme", source: .fixed(.safe),
                "the app supplies credentials outside the generated API"),
            r(
                "security-scope-added", .changed, "an operation needs a new OAuth scope", wire: .breaking,
                "tokens granted to old apps lack it", source: .fixed(.safe), "scopes are not in the generated API"),

            // Parameters
            r(
                "request-parameter-added-required", .added, "a new required parameter", wire: .breaking,
                "old apps do not send it", source: .fixed(.breaking), "a new argument without a default"),
            r(
                "request-parameter-added-optional", .added, "a new optional parameter", wire: .safe,
                "old apps do not send it, which is allowed", source: .fixed(.safe), "a new argument with `= nil`"),
            r(
                "request-parameter-removed", .removed, "a parameter is gone", wire: .safe,
                "servers ignore parameters they do not know", source: .fixed(.breaking),
                "callers still pass the argument"),
            r(
                "request-parameter-became-required", .changed, "an optional parameter is now required", wire: .breaking,
                "old apps may leave it out", source: .whenSwiftChanges,
                "`T? = nil` becomes `T`: callers that omit it fail"),
            r(
                "request-parameter-became-optional", .changed, "a required parameter is now optional", wire: .safe,
                "old apps always send it", source: .whenSwiftChanges,
                "`T` becomes `T? = nil` and moves among the optional arguments"),
            r(
                "path-parameter-renamed", .changed, "a path parameter is renamed", wire: .safe,
                "path parameters travel by position", source: .whenSwiftChanges, "the name is the argument label"),

            // Request bodies
            r(
                "request-body-added-required", .added, "a required request body is new", wire: .breaking,
                "old apps send none", source: .fixed(.breaking), "a new `_ body:` argument without a default"),
            r(
                "request-body-added-optional", .added, "an optional request body is new", wire: .safe,
                "old apps send none, which is allowed", source: .fixed(.safe), "a new `_ body: T? = nil`"),
            r(
                "request-body-removed", .removed, "the request body is gone", wire: .safe,
                "a body the server does not read is ignored", source: .fixed(.breaking), "callers still pass it"),
            r(
                "request-body-became-required", .changed, "the request body is now required", wire: .breaking,
                "old apps may send none", source: .whenSwiftChanges, "`T? = nil` becomes `T`"),
            r(
                "request-body-became-optional", .changed, "the request body is now optional", wire: .safe,
                "old apps always send one", source: .whenSwiftChanges, "`T` becomes `T? = nil`"),
            r(
                "request-media-type-changed", .changed, "the request body's media type changes", wire: .breaking,
                "old apps send the old encoding and get 415", source: .whenSwiftChanges,
                "breaking only when the body's Swift type changes"),

            // Request values (parameters and body members)
            r(
                "request-property-added-required", .added, "a new required request member", wire: .breaking,
                "old apps do not send it and get 422", source: .fixed(.breaking),
                "a new initializer argument without a default"),
            r(
                "request-property-added-optional", .added, "a new optional request member", wire: .safe,
                "old apps leave it out, which is allowed", source: .fixed(.safe),
                "a new initializer argument with `= nil`"),
            r(
                "request-property-removed", .removed, "a request member is gone", wire: unknownMembers,
                "old apps still send it; servers that allow additional members ignore it", source: .fixed(.breaking),
                "the property and its initializer argument are gone"),
            r(
                "request-property-removed-closed", .removed, "a request member is gone from a closed object",
                wire: .breaking, "old apps still send it and `additionalProperties: false` refuses it",
                source: .fixed(.breaking), "the property and its initializer argument are gone"),
            r(
                "request-property-became-required", .changed, "an optional request member is now required",
                wire: .breaking, "old apps may leave it out", source: .whenSwiftChanges,
                "its type loses `?` and its initializer argument its default"),
            r(
                "request-property-became-optional", .changed, "a required request member is now optional", wire: .safe,
                "old apps always send it", source: .whenSwiftChanges, "its type gains `?`"),
            r(
                "request-became-non-nullable", .changed, "a request value no longer accepts null", wire: .breaking,
                "old apps may send null", source: .whenSwiftChanges, "breaking when its Swift type changes"),
            r(
                "request-became-nullable", .changed, "a request value now accepts null", wire: .safe,
                "old apps never send null", source: .whenSwiftChanges, "breaking when its Swift type changes"),
            r(
                "request-type-changed", .changed, "a request value's type or format changes", wire: .breaking,
                "the server refuses what old apps send", source: .whenSwiftChanges,
                "breaking when its Swift type changes"),
            r(
                "request-type-widened", .changed, "a request value accepts more types (integer → number)",
                wire: .safe,
                "everything old apps send is still accepted", source: .whenSwiftChanges,
                "`Int` → `Double` is a new type"),
            r(
                "request-constraint-narrowed", .changed, "a request value's constraint narrows", wire: .breaking,
                b.validatesRequests
                    ? "old clients check the old constraint and send values the server now refuses"
                    : "the client does not validate: old apps send values the server now refuses",
                source: .fixed(.safe), "constraints are not in Swift types"),
            r(
                "request-constraint-widened", .changed, "a request value's constraint widens", wire: .safe,
                "everything old apps send is still accepted", source: .fixed(.safe),
                "constraints are not in Swift types"),
            r(
                "request-enum-value-removed", .removed, "a request enum value is gone", wire: .breaking,
                "old apps may still send it", source: .fixed(.breaking), "its `case` is gone"),
            r(
                "request-enum-value-added", .added, "a request enum value is new", wire: .safe,
                "old apps never send it",
                source: .fixed(.breaking), "an exhaustive `switch` without `default` must handle the new case"),
            r(
                "request-union-variant-removed", .removed, "a request `oneOf` variant is gone", wire: .breaking,
                "old apps may still send it", source: .fixed(.breaking), "its `case` is gone"),
            r(
                "request-union-variant-added", .added, "a request `oneOf` variant is new", wire: .safe,
                "old apps never send it", source: .fixed(.breaking), "an exhaustive `switch` must handle the new case"),

            // Responses
            r(
                "success-status-added", .added, "a new success status",
                wire: b.undeclaredSuccessStatusThrows ? .breaking : .safe,
                "the old client throws `ClientError.unexpectedStatus` for a status it does not declare",
                source: .whenSwiftChanges, "breaking when the method's result type or cases change"),
            r(
                "success-status-removed", .removed, "a success status is gone", wire: .safe,
                "the old client never sees it; the status that replaces it is reported on its own",
                source: .whenSwiftChanges, "breaking when the method's result type or cases change"),
            r(
                "error-status-added", .added, "a new error status",
                wire: b.anyErrorStatusIsAPIError ? .safe : .breaking,
                "every 4xx/5xx becomes an `APIError`", source: .fixed(.safe), "errors are thrown, not returned"),
            r(
                "error-status-removed", .removed, "an error status is gone", wire: .safe,
                "the old client never sees it",
                source: .fixed(.safe), "errors are thrown, not returned"),
            r(
                "response-body-removed", .removed, "a success response no longer has a body", wire: .breaking,
                "the old client decodes a body that is not there", source: .whenSwiftChanges,
                "the method returns something else"),
            r(
                "response-body-added", .added, "a success response now has a body", wire: .safe,
                "the old client does not read it", source: .whenSwiftChanges, "the method returns something else"),
            r(
                "response-media-type-changed", .changed, "a success response's media type changes", wire: .breaking,
                "the old client decodes the old encoding", source: .whenSwiftChanges,
                "breaking when the result type changes"),
            r(
                "response-location-added", .added, "a success response now declares `Location`", wire: .safe,
                "the old client does not read it", source: .whenSwiftChanges,
                "the method returns `Created<T>` (the body and the location) instead of `T`"),
            r(
                "response-location-removed", .removed, "a success response no longer declares `Location`",
                wire: .safe, "the old client's `Created.location` is optional: it reads nil",
                source: .whenSwiftChanges, "the method returns `T` instead of `Created<T>`"),

            // Response values
            r(
                "response-required-property-removed", .removed, "a required response member is gone", wire: .breaking,
                "the old client's type requires it: decoding fails", source: .fixed(.breaking), "the property is gone"),
            r(
                "response-optional-property-removed", .removed, "an optional response member is gone", wire: .safe,
                "the old client decodes it with `decodeIfPresent`", source: .fixed(.breaking), "the property is gone"),
            r(
                "response-property-added", .added, "a new response member", wire: unknownMembers,
                "the old client ignores members it does not know", source: .whenSwiftChanges,
                "a required one is a new initializer argument without a default"),
            r(
                "response-property-became-optional", .changed, "a required response member is now optional",
                wire: .breaking, "the old client's type requires it: decoding fails when it is absent",
                source: .whenSwiftChanges, "`T` becomes `T?`"),
            r(
                "response-nullable-became-optional", .changed, "a required, nullable response member is now optional",
                wire: b.optionalMembersTolerateNull ? .safe : .breaking,
                "the old client's type is already `T?`, read with `decodeIfPresent`: absent is like null",
                source: .whenSwiftChanges, "the type stays `T?`"),
            r(
                "response-required-became-nullable", .changed, "a required response member may now be null",
                wire: .breaking, "the old client's type is not optional: decoding `null` fails",
                source: .whenSwiftChanges,
                "`T` becomes `T?`"),
            r(
                "response-optional-became-nullable", .changed, "an optional response member may now be null",
                wire: b.optionalMembersTolerateNull ? .safe : .breaking,
                "`decodeIfPresent` reads `null` as absent", source: .whenSwiftChanges, "the type stays `T?`"),
            r(
                "response-became-required", .changed, "a response member is now required or non-null", wire: .safe,
                "the old client accepts it present", source: .whenSwiftChanges, "`T?` becomes `T`"),
            r(
                "response-type-changed", .changed, "a response value's type or format changes", wire: .breaking,
                "the old client cannot decode the new values", source: .whenSwiftChanges,
                "breaking when its Swift type changes"),
            r(
                "response-format-changed", .changed,
                "a response value's format changes where the client decodes plain text",
                wire: .safe, "the old client's type (`String`, `Int`) accepts any value of the new format",
                source: .whenSwiftChanges, "breaking when its Swift type changes"),
            r(
                "response-type-narrowed", .changed, "a response value's type narrows (number → integer)", wire: .safe,
                "the old client's `Double` decodes integers", source: .whenSwiftChanges,
                "`Double` → `Int` is a new type"),
            r(
                "response-constraint-changed", .changed, "a response value's constraint changes", wire: .safe,
                "the client does not validate what it decodes", source: .fixed(.safe),
                "constraints are not in Swift types"),
            r(
                "response-enum-value-added", .added, "a response enum value is new", wire: openEnum,
                "open enums decode unknown values as `.undocumented`", source: .fixed(.breaking),
                "an exhaustive `switch` without `default` must handle the new case"),
            r(
                "response-enum-value-removed", .removed, "a response enum value is gone", wire: .safe,
                "the old client never receives it", source: .fixed(.breaking), "its `case` is gone"),
            r(
                "response-union-variant-added", .added, "a response `oneOf` variant is new (no discriminator)",
                wire: .breaking, "the old client tries its own variants and fails on the new one",
                source: .fixed(.breaking), "an exhaustive `switch` must handle the new case"),
            r(
                "response-open-union-variant-added", .added, "a response `oneOf` variant is new (with a discriminator)",
                wire: b.discriminatedUnionsAreOpen ? .safe : .breaking, "an unknown kind decodes as `.undocumented`",
                source: .fixed(.breaking), "an exhaustive `switch` must handle the new case"),
            r(
                "response-union-variant-removed", .removed, "a response `oneOf` variant is gone", wire: .safe,
                "the old client never receives it", source: .fixed(.breaking), "its `case` is gone"),

            // Types
            r(
                "type-renamed", .changed, "a schema's Swift type is renamed", wire: .safe, "names are not on the wire",
                source: .fixed(.breaking), "code that names the type no longer compiles"),
            r(
                "property-renamed", .changed, "a member's Swift name changes while its wire name stays", wire: .safe,
                "the wire name is the same", source: .fixed(.breaking),
                "code that names the property no longer compiles"),
            r(
                "deprecated", .deprecated, "a schema or member is now deprecated", wire: .safe, "it still travels",
                source: .fixed(.safe), "deprecation is a warning"),

            // Error catalog
            r(
                "error-code-removed", .removed, "an error code is gone from the catalog", wire: .breaking,
                "installed apps handle it, and the server now answers another code", source: .fixed(.breaking),
                "its `case` is gone"),
            r(
                "error-code-added", .added, "an error code is new", wire: openEnum,
                "unknown codes decode as `.undocumented` and fall back by status", source: .fixed(.breaking),
                "an exhaustive `switch` over the codes without `default` must handle it"),
            r(
                "error-code-status-changed", .changed, "an error code moves to another HTTP status", wire: .breaking,
                "installed apps pair the code with its old status", source: .fixed(.safe), "the case is the same"),
            r(
                "error-code-no-longer-retryable", .changed, "an error code is no longer retryable", wire: .breaking,
                "installed apps keep retrying it", source: .fixed(.safe), "`isRetryable` is a value, not a type"),
            r(
                "error-code-now-retryable", .changed, "an error code is now retryable", wire: .safe,
                "installed apps just do not retry", source: .fixed(.safe), "`isRetryable` is a value, not a type"),
            r(
                "error-code-message-changed", .changed, "an error code's user message or title changes", wire: .safe,
                "installed apps show their own copy", source: .fixed(.safe),
                "update the String Catalog entry of its localization key"),
            r(
                "error-type-base-changed", .changed, "problem `type` URIs (`x-error-type-base`) change", wire: .safe,
                "the generated client reads `code`, never `type`", source: .fixed(.safe), "nothing generated names them"
            ),
            r(
                "operation-error-code-added", .added, "an operation lists a new error code", wire: openEnum,
                "codes are an open enum; unknown ones fall back by status", source: .fixed(.safe),
                "nothing generated changes"),
            r(
                "operation-error-code-removed", .removed, "an operation no longer lists an error code", wire: .safe,
                "the old client just never receives it", source: .fixed(.safe), "nothing generated changes"),
        ]
    }

    public static func rule(_ id: String, _ behaviour: ClientBehaviour = .current) -> DiffRule? {
        table(behaviour).first { $0.id == id }
    }
}

extension DiffRule {
    /// The rule table as docs/DIFF.md shows it (a test keeps the two equal).
    public static func markdownTable(_ behaviour: ClientBehaviour = .current) -> String {
        var out = "| rule | change | wire | because | source | because |\n|---|---|---|---|---|---|\n"
        for rule in table(behaviour) {
            let source =
                switch rule.source {
                case .fixed(let v): v.rawValue
                case .whenSwiftChanges: "if Swift changes"
                }
            out +=
                "| `\(rule.id)` | \(rule.summary) | \(rule.wire.rawValue) | \(rule.wireReason) | "
                + "\(source) | \(rule.sourceReason) |\n"
        }
        return out
    }
}
