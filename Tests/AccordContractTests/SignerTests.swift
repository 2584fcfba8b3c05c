import AccordContract
import AccordSpec
import Foundation
import Testing

/// Request signers and identity rules come from configuration: signatures against digests
/// computed independently (Python's hmac module, and the provider's published test vector),
/// located errors for bad settings and unknown signers, and the identity-header rule.
@Suite struct SignerTests {
    /// Settings from accord.yaml-like text; the first problem is thrown as a located diagnostic.
    private func settings(_ yaml: String, file: String = "accord.yaml") throws -> ContractSettings {
        let root = try SpecParser.parse(yaml, file: file)
        return try ContractSettings.parse(root)
    }

    private func problem(_ yaml: String) -> String? {
        do {
            _ = try settings(yaml)
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Three signers unlike Retell's: other headers, algorithms, message and value formats.
    private let others = """
        signers:
          pay:
            header: Pay-Signature
            algorithm: hmac-sha512
            key: whsec_demo
            message: "{timestamp_s}.{method} {path}.{body}"
            digest: base64
            value: "t={timestamp_s},v1={signature}"
          hub:
            header: X-Hub-Signature
            algorithm: HMAC-SHA1
            key: hub-secret
            message: "{body}"
            digest: hex
            value: "sha1={signature}"
          vault:
            header: X-Vault-Signature
            algorithm: hmac-sha384
            key: {env: VAULT_SIGNING_KEY}
            message: "{timestamp_ms}:{body}"
            digest: base64url
            value: "{{{signature}}}"
        """

    // Digests below were computed with Python's hmac module, not with the code under test.
    @Test func signersWithOtherHeadersAndFormatsSignAsConfigured() throws {
        let signers = try settings(others).signers
        let now = Date(timeIntervalSince1970: 1_700_000_000.123)

        let pay = try #require(signers["pay"])
        let payHeader = pay.signedHeader(
            body: Data(#"{"amount":5}"#.utf8), method: "POST", target: "/hooks/pay?x=1",
            now: now, key: Data("whsec_demo".utf8))
        #expect(payHeader.name == "Pay-Signature")
        #expect(
            payHeader.value
                == "t=1700000000,v1=OTBiJWpn7P1Fe8O6QAdgoLSyLIF3RXebFh2s+RbRiMsNb6O7ttUcnMGuZ/6sqZuse9CDGnm4/"
                + "Zn02FHRnJX/Tg=="
        )

        let hub = try #require(signers["hub"])
        let hubHeader = hub.signedHeader(
            body: Data(#"{"zen":"ok"}"#.utf8), method: "POST", target: "/", now: now,
            key: Data("hub-secret".utf8))
        #expect(hubHeader.name == "X-Hub-Signature")
        #expect(hubHeader.value == "sha1=b6ff8930246bfe91f998a31875af15736db2c946")

        let vault = try #require(signers["vault"])
        let vaultHeader = vault.signedHeader(
            body: Data("{}".utf8), method: "PUT", target: "/", now: now, key: Data("env-key".utf8))
        #expect(
            vaultHeader.value == "{c_3mz97sTMvembGTUwjlNHeehCm7hnAjy0kRv3hFKOlB5EgFj7SW7GR23KaBbTPu}",
            "{{ and }} are literal braces")
    }

    @Test func retellTestVectorMatchesWithTheRepositoryConfiguration() throws {
        let settings = try Repo.settings()
        let retell = try #require(settings.signers["retell"])
        // PROVIDERS.md's official vector: body {"event":"call_ended"}, key test-api-key, timestamp 1700000000000.
        let header = retell.signedHeader(
            body: Data(#"{"event":"call_ended"}"#.utf8), method: "POST", target: "/v1/webhooks/retell",
            now: Date(timeIntervalSince1970: 1_700_000_000), key: Data("test-api-key".utf8))
        #expect(header.name == "x-retell-signature")
        #expect(header.value == "v=1700000000000,d=07024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e")
    }

    @Test func aScenarioIsSignedAtSendTimeReplacingARecordedSignature() throws {
        let scenario = try Repo.scenario(
            yaml: """
                scenario: hook
                steps:
                  - request:
                      method: POST
                      path: /hooks/github
                      headers: {X-Hub-Signature: "sha1=stale"}
                      sign: {signer: hub}
                      raw_body: '{"zen":"ok"}'
                    response: {status: 204}
                  - request:
                      method: POST
                      path: /hooks/github
                      sign: {signer: hub, key: other-secret}
                      raw_body: '{"zen":"ok"}'
                    response: {status: 204}
                """)
        let signers = try settings(others).signers
        let first = try Replayer.wireRequest(
            try #require(scenario.steps[0].request), variables: Variables(), signers: signers)
        #expect(
            first.headers.filter { $0.name.lowercased() == "x-hub-signature" }.map(\.value)
                == ["sha1=b6ff8930246bfe91f998a31875af15736db2c946"])
        let second = try Replayer.wireRequest(
            try #require(scenario.steps[1].request), variables: Variables(), signers: signers)
        let overridden = try #require(second.header("X-Hub-Signature"))
        #expect(
            overridden.hasPrefix("sha1=") && overridden != first.header("X-Hub-Signature"), "the directive's key wins")
    }

    @Test func theOlderSchemeFormStillReads() throws {
        let scenario = try Repo.scenario(
            yaml: """
                scenario: legacy
                steps:
                  - request:
                      method: POST
                      path: /v1/webhooks/retell
                      sign: {scheme: retell, key: test-api-key}
                      raw_body: '{"event":"call_ended"}'
                    response: {status: 204}
                """)
        let directive = try #require(scenario.steps.first?.request?.signature)
        #expect(directive.signer == "retell")
        #expect(directive.key == .literal("test-api-key"))
        let wire = try Replayer.wireRequest(
            try #require(scenario.steps.first?.request), variables: Variables(),
            signers: try Repo.settings().signers, now: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(
            wire.header("x-retell-signature")
                == "v=1700000000000,d=07024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e")
    }

    @Test func anUnknownSignerIsALocatedError() throws {
        let scenario = try Repo.scenario(
            yaml: """
                scenario: unknown-signer
                steps:
                  - request:
                      method: POST
                      path: /v1/webhooks/retell
                      sign: {signer: stripe}
                      body: {event: call_ended}
                    response: {status: 204}
                """, file: "unknown-signer.yaml")
        var log = DiagnosticLog()
        ExchangeLint.check([scenario], document: try Repo.document(), settings: try Repo.settings(), into: &log)
        #expect(
            log.errors.map(\.description).filter { $0.contains("unknown signer") } == [
                "unknown-signer.yaml:6:13: error: unknown signer 'stripe' (accord.yaml's signers: retell)"
            ])
        #expect(throws: SigningFailure.self) {
            try Replayer.wireRequest(try #require(scenario.steps.first?.request), variables: Variables(), signers: [:])
        }
        do {
            _ = try Replayer.wireRequest(
                try #require(scenario.steps.first?.request), variables: Variables(), signers: [:])
        } catch {
            #expect("\(error)" == "unknown-signer.yaml:6:13: unknown signer 'stripe' (accord.yaml declares no signers)")
        }
    }

    @Test func aBadSignDirectiveIsALocatedError() {
        var log = DiagnosticLog()
        _ = ScenarioLoader.load(
            """
            scenario: bad
            steps:
              - request:
                  method: POST
                  path: /hooks
                  sign: {signer: hub, key: {file: x}}
                response: {status: 204}
              - request:
                  method: POST
                  path: /hooks
                  sign: {signer: hub, scheme: hub}
                response: {status: 204}
            """, file: "bad.yaml", into: &log)
        #expect(
            log.errors.map(\.description) == [
                "bad.yaml:6:32: error: signer 'hub': 'key' is the key's text or {env: VARIABLE}",
                "bad.yaml:11:13: error: 'sign' has 'signer' or its older name 'scheme', not both",
            ])
    }

    @Test func keysFromTheEnvironmentAreReadAtSendTimeAndNeverShown() throws {
        let scenario = try Repo.scenario(
            yaml: """
                scenario: vault
                steps:
                  - request:
                      method: PUT
                      path: /vault
                      sign: {signer: vault}
                      raw_body: '{}'
                    response: {status: 204}
                """)
        let request = try #require(scenario.steps.first?.request)
        let signers = try settings(others).signers
        let now = Date(timeIntervalSince1970: 1_700_000_000.123)
        let signed = try Replayer.wireRequest(
            request, variables: Variables(), signers: signers,
            environment: ["VAULT_SIGNING_KEY": "env-key"], now: now)
        #expect(
            signed.header("X-Vault-Signature") == "{c_3mz97sTMvembGTUwjlNHeehCm7hnAjy0kRv3hFKOlB5EgFj7SW7GR23KaBbTPu}")
        do {
            _ = try Replayer.wireRequest(request, variables: Variables(), signers: signers, environment: [:], now: now)
            Issue.record("a missing key must fail")
        } catch {
            #expect(
                "\(error)"
                    == "accord.yaml:19:10: signer 'vault': the environment variable VAULT_SIGNING_KEY that holds its "
                    + "key is not set"
            )
        }
    }

    /// A valid signer `s` (lines 3 to 8 of the file), with `changes` replacing the lines whose key they share.
    static func signerYAML(_ changes: [String: String?] = [:]) -> String {
        let lines = [
            ("header", "X-Sig"), ("algorithm", "hmac-sha256"), ("key", "k"), ("message", "\"{body}\""),
            ("digest", "hex"),
            ("value", "\"{signature}\""),
        ]
        var out = "signers:\n  s:\n"
        for (key, value) in lines {
            if let change = changes[key] {
                if let change { out += "    \(key): \(change)\n" }
            } else {
                out += "    \(key): \(value)\n"
            }
        }
        for (key, value) in changes where !lines.contains(where: { $0.0 == key }) {
            out += "    \(key): \(value ?? "")\n"
        }
        return out
    }

    @Test(arguments: [
        ("signers: [retell]", "accord.yaml:1:10: error: 'signers' must map signer names to their settings"),
        (
            SignerTests.signerYAML(["algorithm": "md5"]),
            """
            accord.yaml:4:16: error: signer 's': unknown algorithm 'md5' (known: hmac-sha1, hmac-sha256, hmac-sha384, \
            hmac-sha512)
            """
        ),
        (
            SignerTests.signerYAML(["message": "\"{body}{nonce}\""]),
            """
            accord.yaml:6:14: error: signer 's': 'message': unknown placeholder '{nonce}' (here: {body}, \
            {timestamp_ms}, {timestamp_s}, {method}, {path})
            """
        ),
        (
            SignerTests.signerYAML(["value": "\"v={timestamp_ms}\""]),
            "accord.yaml:8:12: error: signer 's': 'value' must hold {signature}"
        ),
        (
            SignerTests.signerYAML(["message": "\"{body\""]),
            "accord.yaml:6:14: error: signer 's': 'message': '{' without its '}' (write '{{' for a literal brace)"
        ),
        (
            SignerTests.signerYAML(["value": "\"v={signature}}\""]),
            "accord.yaml:8:12: error: signer 's': 'value': a lone '}' (write '}}' for a literal brace)"
        ),
        (
            SignerTests.signerYAML(["digest": "hex32"]),
            "accord.yaml:7:13: error: signer 's': unknown digest encoding 'hex32' (known: hex, base64, base64url)"
        ),
        (
            SignerTests.signerYAML(["header": "\"X Sig\""]),
            "accord.yaml:3:13: error: signer 's': 'X Sig' is not a header name (letters, digits, '-')"
        ),
        (SignerTests.signerYAML(["key": nil]), "accord.yaml:3:5: error: signer 's' needs 'key'"),
        (
            SignerTests.signerYAML(["key": "{env: 1BAD}"]),
            "accord.yaml:5:16: error: signer 's': '1BAD' is not an environment variable name"
        ),
        (
            SignerTests.signerYAML(["salt": "x"]),
            "accord.yaml:9:5: error: unknown key 'salt' in signer 's' (known: algorithm, digest, header, key, "
                + "message, value)"
        ),
        (
            "untrustedIdentityHeaders: x-phone",
            "accord.yaml:1:27: error: 'untrustedIdentityHeaders' must be a list of header names"
        ),
        (
            "untrustedIdentityHeaders: [x-phone, \"x phone\"]",
            "accord.yaml:1:37: error: 'untrustedIdentityHeaders' entries are header names (letters, digits, '-')"
        ),
    ])
    func badSettingsAreLocatedErrors(_ yaml: String, _ expected: String) {
        #expect(problem(yaml) == expected)
    }

    @Test func aMissingCredentialsCodeOutsideTheCatalogIsALocatedError() throws {
        let settings = try settings("missingCredentialsError: LOGIN_NEEDED\n")
        #expect(
            settings.diagnostics(against: try Repo.document()).map(\.description)
                == [
                    "accord.yaml:1:26: error: 'missingCredentialsError': LOGIN_NEEDED is not a code of the error "
                        + "catalog"
                ])
        #expect(try Repo.settings().diagnostics(against: try Repo.document()).isEmpty)
    }

    /// A protected route that answers a request identified only by a configured header.
    private struct AcceptsAnything: HTTPExchanging {
        func send(_ request: WireRequest) async throws -> WireResponse {
            WireResponse(status: 200, headers: [("Content-Type", "application/json")], body: Data("{}".utf8))
        }
    }

    private let identifiedByHeader = """
        scenario: device-owner
        steps:
          - request:
              method: GET
              path: /v1/me
              headers: {X-Device-Owner: "+15555550100"}
            response:
              status: 401
              headers: {Content-Type: application/problem+json}
              body: {code: AUTH_REQUIRED, status: 401}
        """

    @Test func theIdentityHeaderRuleComesFromConfiguration() async throws {
        let scenario = try Repo.scenario(yaml: identifiedByHeader)
        var replayer = Replayer(document: try Repo.document())
        replayer.stateRoute = "/none"
        replayer.settings = try settings(
            "untrustedIdentityHeaders: [x-device-owner]\nmissingCredentialsError: AUTH_REQUIRED\n")
        let configured = await replayer.run(scenario, against: AcceptsAnything())
        #expect(
            configured.failureLines.first
                == "device-owner step 1: a request with only x-device-owner was accepted (status 200); "
                + "x-device-owner never identifies a caller, expected 401 AUTH_REQUIRED")

        // The same header with no rule naming it: only the generic refusal is expected.
        replayer.settings = ContractSettings()
        let unconfigured = await replayer.run(scenario, against: AcceptsAnything())
        #expect(
            unconfigured.failureLines.first
                == "device-owner step 1: protected route answered 200 without a token; expected 401")
        #expect(!unconfigured.failureLines.contains { $0.contains("never identifies") })
    }

    @Test func theRecorderWritesSignDirectivesForConfiguredHeaders() throws {
        var options = ScenarioWriter.Options()
        options.signers = try settings(others).signers.values.sorted { $0.name < $1.name }
        let body = Data(#"{"zen":"ok"}"#.utf8)
        let accepted = WireRequest(
            method: "POST", target: "/hooks/github",
            headers: [("Content-Type", "application/json"), ("x-hub-signature", "sha1=recorded")], body: body)
        let refused = WireRequest(
            method: "POST", target: "/hooks/github",
            headers: [("Content-Type", "application/json"), ("X-Hub-Signature", "sha1=forged")], body: body)
        let text = ScenarioWriter(options: options).render(
            name: "hooks", description: nil,
            exchanges: [
                (accepted, WireResponse(status: 204, headers: [], body: Data())),
                (
                    refused,
                    WireResponse(
                        status: 401, headers: [("Content-Type", "application/problem+json")],
                        body: Data(#"{"code":"WEBHOOK_SIGNATURE_INVALID","status":401}"#.utf8))
                ),
            ])
        #expect(
            text.components(separatedBy: "sign: {signer: hub}").count == 2,
            "only the accepted one is re-signed:\n\(text)")
        #expect(!text.contains("sha1=recorded"), "\(text)")
        #expect(
            text.contains("X-Hub-Signature: sha1=forged") || text.contains("X-Hub-Signature: \"sha1=forged\""),
            "\(text)")
        let scenario = try Repo.scenario(yaml: text, file: "hooks.yaml")
        let wire = try Replayer.wireRequest(
            try #require(scenario.steps.first?.request), variables: Variables(),
            signers: try settings(others).signers)
        #expect(wire.header("X-Hub-Signature") == "sha1=b6ff8930246bfe91f998a31875af15736db2c946")
    }
}
