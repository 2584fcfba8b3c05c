import AccordCodegen
import AccordSpec

extension Comparison {
    static func key(_ op: Operation) -> String { ClientSurface.operationKey(method: op.method.rawValue, path: op.path) }

    static func pointer(_ op: Operation) -> Place {
        Place(operation: op.operationId, pointer: "/paths").appending(op.path, op.method.rawValue)
    }

    mutating func compareOperations() {
        let revisionByKey = Dictionary(
            revision.document.operations.map { (Self.key($0), $0) }, uniquingKeysWith: { a, _ in a })
        let baseKeys = Set(base.document.operations.map(Self.key))
        for op in base.document.operations {
            guard let new = revisionByKey[Self.key(op)] else {
                let deprecated = op.isDeprecated ? " (it was deprecated)" : ""
                emit(
                    "operation-removed", at: Self.pointer(op),
                    "`\(op.method.rawValue.uppercased()) \(op.path)` (`\(op.operationId)`) is gone\(deprecated)",
                    base: op.location, revision: nil)
                continue
            }
            compare(op, new)
        }
        for op in revision.document.operations where !baseKeys.contains(Self.key(op)) {
            emit(
                "operation-added", at: Self.pointer(op),
                "`\(op.method.rawValue.uppercased()) \(op.path)` (`\(op.operationId)`) is new",
                base: nil, revision: op.location)
        }
    }

    private mutating func compare(_ old: Operation, _ new: Operation) {
        let place = Self.pointer(new)
        let key = Self.key(new)
        let oldMethod = base.surface.methods[key], newMethod = revision.surface.methods[key]
        if old.operationId != new.operationId {
            let renamed = oldMethod?.name != newMethod?.name
            let swift =
                renamed ? ": the client method `\(oldMethod?.name ?? "?")` is now `\(newMethod?.name ?? "?")`" : ""
            emit(
                "operation-id-changed", at: place.appending("operationId"),
                "operationId `\(old.operationId)` is now `\(new.operationId)`\(swift)",
                base: old.location, revision: new.location, swiftChanged: renamed)
        }
        if !old.isDeprecated && new.isDeprecated {
            emit(
                "operation-deprecated", at: place.appending("deprecated"), "`\(new.operationId)` is deprecated",
                base: old.location, revision: new.location)
        } else if old.isDeprecated && !new.isDeprecated {
            emit(
                "operation-undeprecated", at: place.appending("deprecated"),
                "`\(new.operationId)` is no longer deprecated",
                base: old.location, revision: new.location)
        }
        if old.isWebhook != new.isWebhook {
            emit(
                new.isWebhook ? "operation-became-webhook" : "operation-no-longer-webhook",
                at: place.appending("x-webhook"),
                new.isWebhook
                    ? "`\(new.operationId)` is a webhook now: the client no longer has "
                        + "`\(oldMethod?.name ?? new.operationId)`"
                    : "`\(new.operationId)` is no longer a webhook: the client has a method for it",
                base: old.location, revision: new.location)
        }
        compareSecurity(old, new, at: place)
        var judged = compareParameters(old, new, at: place)
        if compareBody(old, new, at: place, oldMethod: oldMethod, newMethod: newMethod) { judged.insert("_") }
        compareResponses(old, new, at: place, oldMethod: oldMethod, newMethod: newMethod)
        compareErrorCodes(old, new, at: place)
        if let oldMethod, let newMethod {
            compareSignature(oldMethod, newMethod, alreadyJudged: judged, at: place, new)
        }
    }

    // MARK: Security

    private mutating func compareSecurity(_ old: Operation, _ new: Operation, at place: Place) {
        let oldPublic = old.security.isEmpty || old.security.contains { $0.isEmpty }
        let newPublic = new.security.isEmpty || new.security.contains { $0.isEmpty }
        let at = place.appending("security")
        let newSchemes = Set(new.security.flatMap { $0 }), oldSchemes = Set(old.security.flatMap { $0 })
        if oldPublic && !newPublic {
            emit(
                "security-added", at: at,
                "`\(new.operationId)` now needs \(newSchemes.sorted().joined(separator: " or "))",
                base: old.location, revision: new.location)
            return
        }
        if !oldPublic && newPublic {
            emit(
                "security-removed", at: at, "`\(new.operationId)` no longer needs credentials", base: old.location,
                revision: new.location)
            return
        }
        guard !oldPublic else { return }
        // Each new alternative must be one an old app can satisfy: a scheme it already sends, defined the same way.
        let satisfiable = new.security.contains { alternative in
            alternative.allSatisfy { name in
                oldSchemes.contains(name)
                    && Self.sameScheme(base.document.securitySchemes[name], revision.document.securitySchemes[name])
            }
        }
        if !satisfiable {
            emit(
                "security-scheme-changed", at: at,
                "`\(new.operationId)` needs \(newSchemes.sorted().joined(separator: " or ")) "
                    + "instead of \(oldSchemes.sorted().joined(separator: " or "))",
                base: old.location, revision: new.location)
        }
        for (name, scopes) in new.securityScopes {
            let added = scopes.subtracting(old.securityScopes[name] ?? [])
            if !added.isEmpty, oldSchemes.contains(name) {
                emit(
                    "security-scope-added", at: at,
                    "`\(new.operationId)` needs scope "
                        + "\(added.sorted().map { "`\($0)`" }.joined(separator: ", ")) of \(name)",
                    base: old.location, revision: new.location)
            }
        }
    }

    static func sameScheme(_ a: SecurityScheme?, _ b: SecurityScheme?) -> Bool {
        switch (a, b) {
        case (.httpBearer?, .httpBearer?), (.httpBasic?, .httpBasic?), (.oauth2?, .oauth2?),
            (.openIdConnect?, .openIdConnect?):
            return true
        case let (.apiKey(n1, l1)?, .apiKey(n2, l2)?): return n1.lowercased() == n2.lowercased() && l1 == l2
        case let (.other(x)?, .other(y)?): return x == y
        default: return false
        }
    }

    // MARK: Parameters

    /// Compares parameters; returns the argument labels whose source verdict a change already gave.
    private mutating func compareParameters(_ old: Operation, _ new: Operation, at place: Place) -> Set<String> {
        var judged = Set<String>()
        let oldMethod = base.surface.methods[Self.key(new)], newMethod = revision.surface.methods[Self.key(new)]
        func argument(_ method: ClientSurface.Method?, _ p: Parameter) -> ClientSurface.Argument? {
            method?.arguments.first { $0.wireName == p.name && $0.location == p.location.rawValue }
        }
        // Path parameters are matched by position: their names are not on the wire.
        let oldPath = old.parameters.filter { $0.location == .path },
            newPath = new.parameters.filter { $0.location == .path }
        let oldPathOrder = Self.pathParameterNames(old.path), newPathOrder = Self.pathParameterNames(new.path)
        for (i, name) in oldPathOrder.enumerated() where i < newPathOrder.count {
            guard let p = oldPath.first(where: { $0.name == name }),
                let q = newPath.first(where: { $0.name == newPathOrder[i] })
            else { continue }
            let pa = argument(oldMethod, p), qa = argument(newMethod, q)
            let at = place.appending("parameters", "path", q.name)
            if p.name != q.name {
                let relabelled = pa?.label != qa?.label
                emit(
                    "path-parameter-renamed", at: at,
                    "path parameter `\(p.name)` is now `\(q.name)`"
                        + (relabelled ? ": argument `\(pa?.label ?? "?")` is now `\(qa?.label ?? "?")`" : ""),
                    base: p.sourceLocation, revision: q.sourceLocation, swiftChanged: relabelled)
                if let label = pa?.label { judged.insert(label) }
            }
            compareValue(
                p.schema, q.schema, .request, at: at,
                swift: (SwiftPlace(type: pa?.type, scope: nil), SwiftPlace(type: qa?.type, scope: nil)),
                what: "path parameter `\(q.name)`")
        }

        func same(_ a: Parameter, _ b: Parameter) -> Bool {
            a.location == b.location
                && (a.location == .header ? a.name.lowercased() == b.name.lowercased() : a.name == b.name)
        }
        let oldOthers = old.parameters.filter { $0.location != .path },
            newOthers = new.parameters.filter { $0.location != .path }
        for p in oldOthers {
            let at = place.appending("parameters", p.location.rawValue, p.name)
            guard let q = newOthers.first(where: { same(p, $0) }) else {
                emit(
                    "request-parameter-removed", at: at, "\(p.location.rawValue) parameter `\(p.name)` is gone",
                    base: p.sourceLocation, revision: new.location)
                if let label = argument(oldMethod, p)?.label { judged.insert(label) }
                continue
            }
            let pa = argument(oldMethod, p), qa = argument(newMethod, q)
            let swiftChanged = pa?.type != qa?.type || pa?.hasDefault != qa?.hasDefault
            if !p.isRequired && q.isRequired {
                emit(
                    "request-parameter-became-required", at: at,
                    "\(q.location.rawValue) parameter `\(q.name)` is now required",
                    base: p.sourceLocation, revision: q.sourceLocation, swiftChanged: swiftChanged)
                if let label = pa?.label { judged.insert(label) }
            } else if p.isRequired && !q.isRequired {
                emit(
                    "request-parameter-became-optional", at: at,
                    "\(q.location.rawValue) parameter `\(q.name)` is now optional",
                    base: p.sourceLocation, revision: q.sourceLocation, swiftChanged: swiftChanged)
                if let label = pa?.label { judged.insert(label) }
            }
            if !p.isDeprecated && q.isDeprecated {
                emit(
                    "deprecated", at: at, "\(q.location.rawValue) parameter `\(q.name)` is deprecated",
                    base: p.sourceLocation, revision: q.sourceLocation)
            }
            compareValue(
                p.schema, q.schema, .request, at: at,
                swift: (SwiftPlace(type: pa?.type, scope: nil), SwiftPlace(type: qa?.type, scope: nil)),
                what: "\(q.location.rawValue) parameter `\(q.name)`")
        }
        for q in newOthers where !oldOthers.contains(where: { same($0, q) }) {
            let at = place.appending("parameters", q.location.rawValue, q.name)
            emit(
                q.isRequired ? "request-parameter-added-required" : "request-parameter-added-optional", at: at,
                "\(q.isRequired ? "required" : "optional") \(q.location.rawValue) parameter `\(q.name)` is new",
                base: old.location, revision: q.sourceLocation)
            if let label = argument(newMethod, q)?.label { judged.insert(label) }
        }
        return judged
    }

    static func pathParameterNames(_ path: String) -> [String] {
        var names: [String] = [], current: String?
        for c in path {
            if c == "{" {
                current = ""
            } else if c == "}" {
                if let n = current { names.append(n) }; current = nil
            } else if current != nil {
                current!.append(c)
            }
        }
        return names
    }

    // MARK: Bodies

    /// Compares request bodies; true when a change already judged the body argument.
    @discardableResult
    private mutating func compareBody(
        _ old: Operation, _ new: Operation, at place: Place,
        oldMethod: ClientSurface.Method?, newMethod: ClientSurface.Method?
    ) -> Bool {
        let at = place.appending("requestBody")
        switch (old.requestBody, new.requestBody) {
        case (nil, nil): return false
        case (nil, let body?):
            emit(
                body.isRequired ? "request-body-added-required" : "request-body-added-optional", at: at,
                "`\(new.operationId)` takes a\(body.isRequired ? " required" : "n optional") "
                    + "\(body.content.mediaType.essence) body",
                base: old.location, revision: body.location)
            return true
        case (let body?, nil):
            emit(
                "request-body-removed", at: at, "`\(new.operationId)` no longer takes a body", base: body.location,
                revision: new.location)
            return true
        case (let a?, let b?):
            let swiftChanged = oldMethod?.bodyType.map(\.code) != newMethod?.bodyType.map(\.code)
            if !a.isRequired && b.isRequired {
                emit(
                    "request-body-became-required", at: at, "the body of `\(new.operationId)` is now required",
                    base: a.location, revision: b.location, swiftChanged: true)
            } else if a.isRequired && !b.isRequired {
                emit(
                    "request-body-became-optional", at: at, "the body of `\(new.operationId)` is now optional",
                    base: a.location, revision: b.location, swiftChanged: true)
            }
            let judged = a.isRequired != b.isRequired
            let oldTypes = Set([a.content.mediaType.essence] + a.otherMediaTypes.map(\.essence))
            if !oldTypes.contains(b.content.mediaType.essence)
                && !(b.otherMediaTypes.contains { a.content.mediaType.essence == $0.essence })
            {
                emit(
                    "request-media-type-changed", at: at.appending("content"),
                    "the body of `\(new.operationId)` is \(b.content.mediaType.essence), "
                        + "was \(a.content.mediaType.essence)",
                    base: a.location, revision: b.location, swiftChanged: swiftChanged)
                return true
            }
            if let s = a.content.schema, let t = b.content.schema {
                compareValue(
                    s, t, .request, at: at.appending("content", b.content.mediaType.essence, "schema"),
                    swift: (
                        SwiftPlace(type: oldMethod?.bodyType, scope: nil),
                        SwiftPlace(type: newMethod?.bodyType, scope: nil)
                    ),
                    what: "the body of `\(new.operationId)`")
            }
            return judged
        }
    }

    // MARK: Responses

    private static func covers(_ statuses: [StatusCode], _ status: StatusCode) -> Bool {
        statuses.contains { s in
            switch (s, status) {
            case (.default, _): true
            case let (.range(r), .code(c)): c / 100 == r
            default: s == status
            }
        }
    }

    private mutating func compareResponses(
        _ old: Operation, _ new: Operation, at place: Place,
        oldMethod: ClientSurface.Method?, newMethod: ClientSurface.Method?
    ) {
        let oldSuccess = old.responses.filter(\.status.isSuccess), newSuccess = new.responses.filter(\.status.isSuccess)
        let resultChanged =
            oldMethod?.returnType != newMethod?.returnType
            || !Self.sameCases(oldMethod?.resultCases, newMethod?.resultCases)
        for r in newSuccess where !Self.covers(oldSuccess.map(\.status), r.status) {
            emit(
                "success-status-added", at: place.appending("responses", r.status.description),
                "`\(new.operationId)` can answer \(r.status)", base: old.location, revision: r.location,
                swiftChanged: resultChanged)
        }
        for r in oldSuccess where !newSuccess.contains(where: { $0.status == r.status }) {
            emit(
                "success-status-removed", at: place.appending("responses", r.status.description),
                "`\(new.operationId)` no longer answers \(r.status)", base: r.location, revision: new.location,
                swiftChanged: resultChanged)
        }
        let oldErrors = old.responses.filter { !$0.status.isSuccess },
            newErrors = new.responses.filter { !$0.status.isSuccess }
        for r in newErrors where !oldErrors.contains(where: { $0.status == r.status }) {
            emit(
                "error-status-added", at: place.appending("responses", r.status.description),
                "`\(new.operationId)` can answer \(r.status)", base: old.location, revision: r.location)
        }
        for r in oldErrors where !newErrors.contains(where: { $0.status == r.status }) {
            emit(
                "error-status-removed", at: place.appending("responses", r.status.description),
                "`\(new.operationId)` no longer answers \(r.status)", base: r.location, revision: new.location)
        }
        for a in old.responses {
            guard let b = new.responses.first(where: { $0.status == a.status }) else { continue }
            let at = place.appending("responses", b.status.description)
            let oldType = oldMethod?.responseTypes[a.status.description],
                newType = newMethod?.responseTypes[b.status.description]
            if a.status.isSuccess, Self.declaresLocation(a) != Self.declaresLocation(b) {
                let added = Self.declaresLocation(b)
                emit(
                    added ? "response-location-added" : "response-location-removed",
                    at: at.appending("headers", "Location"),
                    "the \(b.status) answer of `\(new.operationId)` \(added ? "now declares" : "no longer declares") "
                        + "`Location`",
                    base: a.location, revision: b.location, swiftChanged: resultChanged)
            }
            switch (a.content, b.content) {
            case (nil, nil): continue
            case (_?, nil) where a.status.isSuccess:
                emit(
                    "response-body-removed", at: at,
                    "the \(b.status) answer of `\(new.operationId)` no longer has a body",
                    base: a.location, revision: b.location, swiftChanged: resultChanged)
            case (nil, _?) where a.status.isSuccess:
                emit(
                    "response-body-added", at: at, "the \(b.status) answer of `\(new.operationId)` now has a body",
                    base: a.location, revision: b.location, swiftChanged: resultChanged)
            case let (x?, y?):
                if x.mediaType.essence != y.mediaType.essence && a.status.isSuccess
                    && !(x.mediaType.isJSON && y.mediaType.isJSON)
                {
                    emit(
                        "response-media-type-changed", at: at.appending("content"),
                        "the \(b.status) answer of `\(new.operationId)` is \(y.mediaType.essence), "
                            + "was \(x.mediaType.essence)",
                        base: a.location, revision: b.location, swiftChanged: resultChanged)
                    continue
                }
                if let s = x.schema, let t = y.schema {
                    compareValue(
                        s, t, .response, at: at.appending("content", y.mediaType.essence, "schema"),
                        swift: (SwiftPlace(type: oldType, scope: nil), SwiftPlace(type: newType, scope: nil)),
                        what: "the \(b.status) answer of `\(new.operationId)`")
                }
            default: continue
            }
        }
    }

    /// The generated client hands a success's `Location` to the caller when the response declares it.
    private static func declaresLocation(_ response: Response) -> Bool {
        response.headers.contains { $0.name.lowercased() == "location" }
    }

    static func sameCases(_ a: [ClientSurface.ResultCase]?, _ b: [ClientSurface.ResultCase]?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case let (x?, y?):
            return x.count == y.count
                && zip(x, y).allSatisfy { $0.name == $1.name && $0.payload.map(\.code) == $1.payload.map(\.code) }
        default: return false
        }
    }

    private mutating func compareErrorCodes(_ old: Operation, _ new: Operation, at place: Place) {
        let oldCodes = Set(old.errorCodes.map(\.code))
        let newCodes = Set(new.errorCodes.map(\.code))
        for entry in new.errorCodes where !oldCodes.contains(entry.code) {
            emit(
                "operation-error-code-added", at: place.appending("x-error-codes", entry.code),
                "`\(new.operationId)` can answer `\(entry.code)`", base: old.location, revision: entry.location)
        }
        for entry in old.errorCodes where !newCodes.contains(entry.code) {
            emit(
                "operation-error-code-removed", at: place.appending("x-error-codes", entry.code),
                "`\(new.operationId)` no longer lists `\(entry.code)`", base: entry.location, revision: new.location)
        }
    }

    // MARK: Swift signature

    /// Would a call written against the old method still compile against the new one? Arguments
    /// already judged by a parameter change are left to it; what remains (order, labels) is reported here.
    private mutating func compareSignature(
        _ old: ClientSurface.Method, _ new: ClientSurface.Method,
        alreadyJudged: Set<String>, at place: Place, _ op: Operation
    ) {
        let kept = old.arguments.filter { !alreadyJudged.contains($0.label) }
        let newLabels = new.arguments.map(\.label)
        var problems: [String] = []
        // Every argument a call may pass must still exist, in the same relative order.
        let positions = kept.compactMap { arg in newLabels.firstIndex(of: arg.label) }
        for arg in kept where !newLabels.contains(arg.label) { problems.append("argument `\(arg.label):` is gone") }
        if positions != positions.sorted() { problems.append("arguments are in another order") }
        if !problems.isEmpty {
            emit(
                "method-signature-changed", at: place,
                "`\(old.signature)` is now `\(new.signature)`: \(problems.joined(separator: "; "))",
                base: op.location, revision: op.location)
        }
    }
}
