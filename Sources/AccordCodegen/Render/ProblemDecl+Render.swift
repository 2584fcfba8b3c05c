/// What the models and server renderers write from the problem type (the translator decided which
/// member is which, in `ProblemDecl`).
extension ProblemDecl {
    var detailExpression: String {
        // `problem` is optional either way, so the member's own optionality does not matter.
        if let detail = property(wireName: "detail") { return "problem?.\(detail.name) ?? code.title" }
        return "code.title"
    }

    /// The arguments of the problem a server-side error builds (`type: code.typeURI`…), or nil
    /// when a required member of the problem cannot be filled in.
    func serverInitArguments() -> [String]? {
        var args: [String] = []
        for p in properties {
            let value: String?
            switch p.wireName {
            case "type": value = "code.typeURI"
            case "title": value = "code.title"
            case "status": value = p.baseType == .named("Int") ? "status" : nil
            case "detail": value = "detail"
            case code.wireName: value = "code"
            default:
                switch p.problemMember {
                case .requestId: value = "\"\""
                case .retryAfter: value = "retryAfter"
                case .fieldErrors, nil: value = nil
                }
            }
            if let value {
                args.append("\(Naming.bare(p.name)): \(value)")
            } else if !p.type.isOptional {
                return nil
            }
        }
        return args
    }
}
