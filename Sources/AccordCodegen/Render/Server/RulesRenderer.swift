/// The spec's named constraints (`Rules.loanRequest`), which routes and other rules refer to.
struct RulesRenderer {
    let api: GeneratedAPI
    let modelsModule: String
    let runtimeModule: String

    func render() -> String {
        var w = ServerRenderer.writer(importing: [modelsModule, runtimeModule])
        w.line("/// The spec's constraints on request bodies, checked before handlers run.")
        w.scope("enum Rules") { w in
            for (name, rule) in api.rules {
                let head = "static let \(Naming.identifier(name)): SchemaRule ="
                if case .atom(let value) = rule.expr {
                    ServerRenderer.assign(head, value, &w)
                } else {
                    w.expression(head + " ", rule.expr)
                }
            }
        }
        return w.text
    }
}
