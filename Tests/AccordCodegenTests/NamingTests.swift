@testable import AccordCodegen
import Testing

/// `camelCase` reads ASCII names over bytes and others by characters: both follow the same rules.
@Suite struct NamingTests {
    @Test(arguments: [
        ("todo_id", "todoID"), ("created_at", "createdAt"), ("X-Request-ID", "xRequestID"),
        ("HTTPHeader", "httpHeader"), ("URL", "url"), ("get_user_by_ID", "getUserByID"),
        ("ALL_CAPS", "allCaps"), ("A", "a"), ("x_a", "xA"), ("2fa_code", "_2faCode"),
        ("self", "selfValue"), ("default", "`default`"), ("--", "value"), ("", "value"),
        ("api.v2.JSONValue", "apiV2JSONValue"), ("user_ip", "userIP"),
    ])
    func camelCase(_ text: String, _ expected: String) {
        #expect(Naming.camelCase(text) == expected)
    }

    @Test func nonASCIINamesFollowTheSameRules() {
        #expect(Naming.camelCase("café_id") == "cafID")
        #expect(Naming.camelCase("größe") == Naming.camelCase("gr_e"))
    }

    @Test func claimedNamesAreNumbered() {
        var scope = Naming.Scope(reserved: ["init"], expectedCount: 3)
        #expect(scope.claim("init") == "init2")
        #expect(scope.claim("name") == "name")
        #expect(scope.claim("Name") == "Name2")
        #expect(scope.claim("free", avoiding: ["free"]) == "free2")
    }
}
