import Foundation
import Testing
import TodoAgentAPI

/// Round trips of the generated models: what the app and the server put on the wire.
@Suite struct ModelCodingTests {
    func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONCoding.decoder.decode(T.self, from: Data(json.utf8))
    }

    func encode(_ value: some Encodable) throws -> String {
        String(decoding: try JSONCoding.encoder.encode(value), as: UTF8.self)
    }

    let todoJSON = """
        {"id":"6f1c2a8e-2b1d-4c5e-9f00-3a7d5b9c1e24","title":"Call mum","notes":null,"completed":false,
         "due_at":"2026-11-27T15:04:05Z","completed_at":null,"created_at":"2026-11-27T15:04:05.123Z",
         "updated_at":"2026-11-27T15:04:05.123456Z","unknown_member":42}
        """

    @Test func todoDecodesWithAndWithoutFractionalSeconds() throws {
        let todo = try decode(Todo.self, todoJSON)
        #expect(todo.id == UUID(uuidString: "6F1C2A8E-2B1D-4C5E-9F00-3A7D5B9C1E24"))
        #expect(todo.notes == nil)
        #expect(todo.dueAt == Date(timeIntervalSince1970: 1_795_791_845))
        #expect(abs(todo.createdAt.timeIntervalSince1970 - 1_795_791_845.123) < 0.0005)
        #expect(todo.completedAt == nil)
    }

    @Test func todoEncodesRequiredNullsAndLowerCaseIds() throws {
        let todo = try decode(Todo.self, todoJSON)
        let json = try encode(todo)
        #expect(json.contains(#""notes":null"#))
        #expect(json.contains(#""completed_at":null"#))
        #expect(json.contains(#""id":"6f1c2a8e-2b1d-4c5e-9f00-3a7d5b9c1e24""#))
        #expect(json.contains(#""due_at":"2026-11-27T15:04:05Z""#))
        #expect(json.contains(#""created_at":"2026-11-27T15:04:05.123Z""#))
        #expect(!json.contains("unknown_member"))
        // Timestamps keep milliseconds: the second round trip is exact.
        #expect(json.contains(#""updated_at":"2026-11-27T15:04:05.123Z""#))
        #expect(try encode(try decode(Todo.self, json)) == json)
    }

    @Test func patchTellsAbsentAndNullApart() throws {
        let clear = TodoUpdate(notes: .null, dueAt: .null)
        #expect(try encode(clear) == #"{"due_at":null,"notes":null}"#)
        let keep = TodoUpdate(title: "New title")
        #expect(try encode(keep) == #"{"title":"New title"}"#)
        let set = TodoUpdate(notes: .value("x"), completed: true)
        #expect(try encode(set) == #"{"completed":true,"notes":"x"}"#)

        let decodedClear = try decode(TodoUpdate.self, #"{"due_at":null}"#)
        #expect(decodedClear.dueAt == .null)
        #expect(decodedClear.notes == nil)
        let decodedValue = try decode(TodoUpdate.self, #"{"due_at":"2026-11-27T15:04:05Z"}"#)
        #expect(decodedValue.dueAt == .value(Date(timeIntervalSince1970: 1_795_791_845)))
    }

    @Test func unknownEnumValuesDecodeInsteadOfFailing() throws {
        let call = try decode(Call.self, #"{"id":"c1","status":"transferring","created_at":"2026-11-27T15:04:05Z"}"#)
        #expect(call.status == .undocumented("transferring"))
        #expect(try encode(call).contains(#""status":"transferring""#))
        #expect(CallStatus(rawValue: "ended") == .ended)
        // A known value named like the catch-all still round-trips.
        #expect(UserSentiment(rawValue: "unknown") == .unknown)
    }

    @Test func unknownErrorCodesDecode() throws {
        let problem = try decode(Problem.self, """
            {"type":"https://todo-agent.app/errors/new-thing","title":"New","status":418,"detail":"d",
             "code":"BRAND_NEW_CODE","request_id":"r1"}
            """)
        #expect(problem.code == .undocumented("BRAND_NEW_CODE"))
        #expect(problem.code.status == nil)
        #expect(problem.code.userMessage == "Something went wrong. Please try again.")
    }

    @Test func catalogCarriesStatusTitleMessageAndRetryability() {
        #expect(ErrorCode.aiAgentBusy.status == 503)
        #expect(ErrorCode.aiAgentBusy.userMessage == "AI agent is busy, please try again in a minute.")
        #expect(ErrorCode.aiAgentBusy.isRetryable)
        #expect(!ErrorCode.todoNotFound.isRetryable)
        #expect(ErrorCode.todoNotFound.typeURI == "https://todo-agent.app/errors/todo-not-found")
        #expect(ErrorCode.otpInvalid.localizationKey == "error.OTP_INVALID")
    }

    @Test func allOfMergesTheSummaryIntoTheTranscript() throws {
        let transcript = try decode(Transcript.self, """
            {"id":"6f1c2a8e-2b1d-4c5e-9f00-3a7d5b9c1e24","call_id":"call_1","direction":"outbound","status":"ended",
             "started_at":"2026-11-27T15:04:05Z","ended_at":null,"duration_seconds":12.5,"summary":null,
             "disconnection_reason":"user_hangup","user_sentiment":"positive","call_successful":true,
             "turns":[{"role":"agent","content":"Hi","start_seconds":0,"end_seconds":1.5}]}
            """)
        #expect(transcript.callID == "call_1")
        #expect(transcript.userSentiment == .positive)
        #expect(transcript.turns.first?.role == .agent)
        #expect(transcript.durationSeconds == 12.5)
    }

    @Test func timestampsSurviveRoundTrips() throws {
        for text in ["2026-11-27T15:04:05.123Z", "2026-11-27T15:04:05.001Z", "1969-12-31T23:59:59.999Z", "2026-11-27T15:04:05Z"] {
            var value = text
            for _ in 0..<3 { value = JSONCoding.formatTimestamp(try #require(JSONCoding.parseTimestamp(value))) }
            #expect(value == text)
        }
        #expect(JSONCoding.parseTimestamp("2026-11-27T17:04:05+02:00") == JSONCoding.parseTimestamp("2026-11-27T15:04:05Z"))
    }

    @Test func rejectsTimestampsThatAreNotRFC3339() {
        #expect(throws: DecodingError.self) {
            try decode(Call.self, #"{"id":"c1","status":"ended","created_at":"27/11/2026"}"#)
        }
    }
}

/// The digit-by-digit timestamp code against Foundation's ISO 8601 formatter and parser.
@Suite struct TimestampTests {
    /// A fixed-seed generator: the same dates every run.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func formattingAndParsingAgreeWithFoundation() {
        var random = SplitMix(state: 2026)
        var mismatches: [String] = []
        for _ in 0..<20_000 {
            // 1800 … 9999, whole milliseconds.
            let millis = Int64.random(in: -5_364_662_400_000...253_402_300_799_999, using: &random)
            let date = Date(timeIntervalSince1970: Double(millis) / 1000)
            let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
            let fraction = millis - seconds * 1000
            var expected = Date(timeIntervalSince1970: Double(seconds)).formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
            if fraction != 0 { expected = String(expected.dropLast()) + "." + String(format: "%03d", fraction) + "Z" }
            let text = JSONCoding.formatTimestamp(date)
            if text != expected { mismatches.append("\(millis): \(text) ≠ \(expected)") }
            let back = JSONCoding.parseTimestamp(text).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
            if back != millis { mismatches.append("\(text) parsed to \(back.map(String.init) ?? "nil"), not \(millis)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test func edgeCases() {
        func parsed(_ text: String) -> Double? { JSONCoding.parseTimestamp(text)?.timeIntervalSince1970 }
        #expect(parsed("2024-02-29T23:59:59.999Z") == 1_709_251_199.999)
        #expect(parsed("2023-02-29T00:00:00Z") == nil, "no 29 February in 2023")
        #expect(parsed("2026-13-01T00:00:00Z") == nil)
        #expect(parsed("2026-11-27t15:04:05z") == 1_795_791_845)
        #expect(parsed("2026-11-27T17:04:05+02:00") == 1_795_791_845, "offsets go to the full parser")
        #expect(parsed("2026-11-27T15:04:05.123456789Z").map { ($0 * 1000).rounded() } == 1_795_791_845_123)
        #expect(parsed("2026-11-27T15:04:05.Z") == nil)
        #expect(parsed("2026-11-27 15:04:05Z") == nil)
        #expect(JSONCoding.formatTimestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(JSONCoding.formatTimestamp(Date(timeIntervalSince1970: -0.001)) == "1969-12-31T23:59:59.999Z")
    }
}
