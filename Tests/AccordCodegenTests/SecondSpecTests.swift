import AccordCodegen
import AccordSpec
import AccordTestSupport
import Foundation
import Testing

/// The generator knows no API by name: a second, unrelated spec (its own catalog codes and roles,
/// its own problem members, a bearer session, a staff API key and a vendor webhook) generates,
/// compiles, and its client refreshes, authenticates and maps errors by what the spec declares.
@Suite struct SecondSpecTests {
    static let spec = GoldenTests.fixtures.appendingPathComponent("library-loans.yaml")

    func generate() throws -> (files: [GeneratedFile], log: DiagnosticLog) {
        let docs = try SpecDocuments.load(path: Self.spec.path)
        let (document, readLog) = DocumentReader.read(docs)
        #expect(!readLog.hasErrors, "\(readLog.all)")
        let output = Generator.generate(
            try #require(document),
            configuration: GeneratorConfiguration(specPath: "library-loans.yaml", baseName: "Library"))
        return (output.files, output.diagnostics)
    }

    func file(_ files: [GeneratedFile], _ suffix: String) throws -> String {
        try #require(files.first { $0.path.hasSuffix(suffix) }, "no \(suffix)").contents
    }

    @Test func generatesWithoutWarningsAboutRoles() throws {
        let (_, log) = try generate()
        #expect(!log.hasErrors, "\(log.all)")
        #expect(!log.all.contains { $0.message.contains("role") }, "\(log.all)")
    }

    @Test func serverStubsAnswerWithTheSpecsOwnCodes() throws {
        let errors = try file(try generate().files, "ServerErrors.swift")
        for caseName in ["noSuchPage", "wrongVerb", "unreadable", "wrongMedia", "tooLong", "fieldsInvalid", "deskDown"]
        {
            #expect(errors.contains("APIError(.\(caseName)"), "server stubs do not use .\(caseName)")
        }
        #expect(!errors.contains(".undocumented(\""), "a stub answers with a code outside the catalog")
        // The problem's own members: the request id goes to `trace`, violations to `problems`.
        #expect(errors.contains("problem.trace = requestID"))
        #expect(errors.contains("$0.problems = violations.map"))
    }

    @Test func webhookIsRoutedButNotInTheClient() throws {
        let files = try generate().files
        #expect(try file(files, "Routes.swift").contains("receiveVendorNotice"))
        #expect(!(try file(files, "LibraryClient.swift")).contains("receiveVendorNotice"))
    }

    /// Compiled and run: the client against a scripted transport.
    @Test func clientRefreshesAuthenticatesAndMapsErrorsAsTheSpecSays() throws {
        let root = try writeSwiftSources(try generate().files, folderPrefix: "library")
        defer { try? FileManager.default.removeItem(at: root) }
        let outcome = try SwiftTypecheck.run(packageRoot: root.path, name: "Library", main: Self.driver)
        #expect(outcome.compiles, "\(outcome.output)")
        let expected = """
            refresh: 1 sent: [Bearer old, Bearer new] loans: 1
            no-session: 401 NO_SESSION refreshes: 0
            staff: key=desk-key authorization=nil
            created: l2 at https://library.example/loans/l2
            limit: 409 LOAN_LIMIT_REACHED retry=30 trace=t-9 retryable=true
            invalid: 422 FIELDS_INVALID /isbn
            undocumented: 418 RATE_LIMITED status=nil
            """
        #expect(outcome.output.trimmingCharacters(in: .whitespacesAndNewlines) == expected)
    }

    static let driver = ##"""
        import Foundation
        import LibraryClient

        /// Answers from a script, one per request, and keeps what was sent.
        actor ScriptedTransport: HTTPTransport {
            var answers: [TransportResponse]
            var sent: [TransportRequest] = []
            init(_ answers: [TransportResponse]) { self.answers = answers }
            func send(_ request: TransportRequest) async throws -> TransportResponse {
                sent.append(request)
                return answers.removeFirst()
            }
        }

        actor Session: TokenProvider {
            var token = "old"
            var refreshes = 0
            func accessToken() async throws -> String? { token }
            func refreshedAccessToken() async throws -> String? {
                refreshes += 1
                token = "new"
                return token
            }
        }

        func answer(_ status: Int, _ json: String) -> TransportResponse {
            TransportResponse(status: status, headers: ["Content-Type": "application/json"], body: Data(json.utf8))
        }

        func problem(_ status: Int, _ code: String, _ extra: String = "") -> TransportResponse {
            let members = #""type": "t", "title": "x", "status": \#(status), "code": "\#(code)", "trace": "t-9""#
            return answer(status, "{" + members + extra + "}")
        }

        let base = URL(string: "https://library.example")!
        let loan = #"[{"id": "l1", "isbn": "9780000000001", "dueOn": "2026-12-24"}]"#

        // The spec's token-expired code: refresh once, retry with the new token.
        do {
            let transport = ScriptedTransport([problem(401, "SESSION_EXPIRED"), answer(200, loan)])
            let session = Session()
            let client = LibraryClient(baseURL: base, transport: transport, tokenProvider: session)
            let loans = try await client.listLoans()
            let sent = await transport.sent.map { $0.header("Authorization") ?? "nil" }
            print("refresh: \(await session.refreshes) sent: [\(sent.joined(separator: ", "))] loans: \(loans.count)")
        }

        // Another 401 of the catalog is not an expired token: no refresh.
        do {
            let session = Session()
            let client = LibraryClient(
                baseURL: base, transport: ScriptedTransport([problem(401, "NO_SESSION")]), tokenProvider: session)
            do {
                _ = try await client.listLoans()
            } catch let error as APIError {
                print("no-session: \(error.status) \(error.code.rawValue) refreshes: \(await session.refreshes)")
            }
        }

        // The staff operation sends the API key of its scheme, never the member's bearer token.
        do {
            let transport = ScriptedTransport([answer(200, "[]")])
            let client = LibraryClient(
                baseURL: base, transport: transport, tokenProvider: Session(),
                apiKeyProvider: StaticAPIKeys(["staffKey": "desk-key"]))
            _ = try await client.listOverdueLoans()
            let request = await transport.sent[0]
            let key = request.header("X-Staff-Key") ?? "nil"
            print("staff: key=\(key) authorization=\(request.header("Authorization") ?? "nil")")
        }

        // A 201 that declares Location hands it over, resolved against the request's URL.
        do {
            var borrowed = answer(201, #"{"id": "l2", "isbn": "9780000000001", "dueOn": "2026-12-24"}"#)
            borrowed.headers["Location"] = "/loans/l2"
            let client = LibraryClient(
                baseURL: base, transport: ScriptedTransport([borrowed]), tokenProvider: Session())
            let created = try await client.borrowBook(BorrowRequest(isbn: "9780000000001"))
            print("created: \(created.value.id) at \(created.location?.absoluteString ?? "nil")")
        }

        // Error mapping through the spec's own problem members.
        do {
            let client = LibraryClient(
                baseURL: base,
                transport: ScriptedTransport([problem(409, "LOAN_LIMIT_REACHED", #", "waitSeconds": 30"#)]),
                tokenProvider: Session())
            do {
                _ = try await client.borrowBook(BorrowRequest(isbn: "9780000000001"))
            } catch let error as APIError {
                let trace = error.problem?.trace ?? "nil"
                let retry = error.retryAfter ?? -1
                print("limit: \(error.status) \(error.code.rawValue) retry=\(retry) trace=\(trace) "
                    + "retryable=\(error.code.isRetryable)")
            }
        }
        do {
            let violations = #", "problems": [{"field": "/isbn", "code": "minLength", "message": "too short"}]"#
            let client = LibraryClient(
                baseURL: base, transport: ScriptedTransport([problem(422, "FIELDS_INVALID", violations)]),
                tokenProvider: Session())
            do {
                _ = try await client.borrowBook(BorrowRequest(isbn: "1"))
            } catch let error as APIError {
                let field = error.problem?.problems?.first?.field ?? "nil"
                print("invalid: \(error.status) \(error.code.rawValue) \(field)")
            }
        }
        // A code this version does not know stays readable.
        do {
            let client = LibraryClient(
                baseURL: base, transport: ScriptedTransport([problem(418, "RATE_LIMITED")]), tokenProvider: Session())
            do {
                _ = try await client.listLoans()
            } catch let error as APIError {
                let status = error.code.status.map(String.init) ?? "nil"
                print("undocumented: \(error.status) \(error.code.rawValue) status=\(status)")
            }
        }
        """##
}
