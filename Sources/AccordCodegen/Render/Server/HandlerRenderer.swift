/// The handler protocol (one method per operation) and each operation's typed input and output.
struct HandlerRenderer {
    let api: GeneratedAPI
    let handlerName: String
    let modelsModule: String
    let runtimeModule: String

    func render() -> String {
        var w = ServerRenderer.writer(
            importing: ["Foundation", "Hummingbird", modelsModule], exporting: [runtimeModule])
        w.doc(
            """
            The operations of \(api.title), one method each. Implement it and call `registerRoutes` to serve the API.

            Inputs arrive decoded and checked against the spec's constraints; throw `APIError` for an error answer.
            """)
        w.scope("public protocol \(handlerName): Sendable") { w in
            w.line("/// Who is calling, as your `Authenticator` says.")
            w.line("associatedtype Principal: Sendable")
            for op in api.operations {
                w.blank()
                w.doc(op.doc)
                w.list("func \(op.methodName)(", parameters(op), ") async throws -> Operations.\(op.typeName).Output")
            }
        }
        w.blank()
        w.line("/// The typed inputs and outputs of each operation.")
        w.scope("public enum Operations") { w in
            for op in api.operations {
                w.scope("public enum \(op.typeName)") { w in
                    if op.hasServerInput { input(op, &w) }
                    output(op, &w)
                }
            }
        }
        return w.text
    }

    private func parameters(_ op: OperationDecl) -> [String] {
        var params: [String] = []
        if op.hasServerInput { params.append("_ input: Operations.\(op.typeName).Input") }
        if let principal = op.principalType { params.append("principal: \(principal)") }
        params.append("request: RequestInfo")
        return params
    }

    private func input(_ op: OperationDecl, _ w: inout SwiftWriter) {
        var fields: [(name: String, type: String, isOptional: Bool, doc: String?)] = []
        for p in op.serverParameters {
            fields.append((p.name, api.serverInputType(p).code, !p.isRequired, p.doc))
        }
        if let body = op.body { fields.append(("body", body.type.code, !body.isRequired, body.doc)) }
        w.scope("public struct Input: Sendable") { w in
            for field in fields {
                w.doc(field.doc)
                w.line("public var \(field.name): \(field.type)\(field.isOptional ? "?" : "")")
            }
            w.blank()
            let params = fields.map { "\($0.name): \($0.type)\($0.isOptional ? "? = nil" : "")" }
            w.scope("public init(", params, ")") { w in
                for field in fields { w.line("self.\(Naming.bare(field.name)) = \(field.name)") }
            }
        }
    }

    private func output(_ op: OperationDecl, _ w: inout SwiftWriter) {
        let successes = op.successResponses
        w.scope("public enum Output: Sendable") { w in
            for r in successes {
                w.doc(r.doc)
                var values: [SwiftExpr] = []
                if let body = r.body { values.append(.atom(body.type.code)) }
                for h in r.headers { values.append(.atom("\(h.name): \(h.type.code)\(h.isRequired ? "" : "? = nil")")) }
                if values.isEmpty {
                    w.line("case \(r.caseName)")
                } else {
                    w.expression("", .call("case \(r.caseName)(", values))
                }
            }
            if successes.isEmpty {
                w.line("/// The spec declares no success answer; this answers 204.")
                w.line("case noContent")
            }
        }
    }
}
