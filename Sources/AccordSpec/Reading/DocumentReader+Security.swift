/// Security schemes and requirements (`components.securitySchemes`, `security`).
extension DocumentReader {
    mutating func readSecurityScheme(_ raw: SpecNode, in file: String) -> SecurityScheme? {
        let node: SpecNode
        do { (node, _, _) = try docs.followRefs(raw, in: file) } catch { log.add(error); return nil }
        switch node["type"]?.string {
        case "http":
            switch node["scheme"]?.string?.lowercased() {
            case "bearer": return .httpBearer(format: node["bearerFormat"]?.string)
            case "basic": return .httpBasic
            default: return .other("http \(node["scheme"]?.string ?? "")")
            }
        case "apiKey":
            guard let name = node["name"]?.string, let inText = node["in"]?.string,
                let location = Parameter.Location(rawValue: inText)
            else {
                log.error("an apiKey security scheme needs 'name' and 'in'", at: node.location)
                return nil
            }
            return .apiKey(name: name, location: location)
        case "oauth2": return .oauth2
        case "openIdConnect": return .openIdConnect
        case let other?: return .other(other)
        case nil:
            log.error("a security scheme needs a 'type'", at: node.location)
            return nil
        }
    }

    mutating func readSecurityRequirements(_ node: SpecNode?, schemes: [String: SecurityScheme]) -> [[String]]? {
        guard let node else { return nil }
        guard let list = node.array else {
            log.error("'security' must be an array", at: node.location)
            return nil
        }
        var result: [[String]] = []
        for requirement in list {
            guard let object = requirement.object else { continue }
            for entry in object.entries where schemes[entry.key] == nil {
                log.error(
                    "security scheme '\(entry.key)' is not defined in components.securitySchemes", at: entry.keyLocation
                )
            }
            result.append(object.keys)
        }
        return result
    }
}
