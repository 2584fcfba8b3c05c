import Foundation

/// Compiles generated Swift (models and client modules with their runtimes, as
/// `accord generate --spec S --output DIR --name N` writes them: DIR/Sources/<N>API/*.swift,
/// DIR/Sources/<N>APIRuntime/*.swift…) plus a snippet that does
/// `import <N>Client`, and says whether it type-checks.
///
/// `swiftc` runs in a fresh temporary folder T, in Swift 6 language mode (the generated package's tools version):
/// 1. `<N>APIRuntime`, `<N>API`, `<N>ClientRuntime` and `<N>Client` as modules (`-emit-module` into T), each
///    against the ones before (`-I T`; the client's `@_exported import`s make the models and runtimes visible
///    to the snippet),
/// 2. the snippet, `-typecheck -I T`, as a library file (top-level `func`s, no top-level statements).
/// Step 1 failing means the generated code itself is broken: that throws `SwiftTypecheck.Failure`.
/// Step 2 failing is the answer `compiles == false`, with the compiler's diagnostics in `output`.
public enum SwiftTypecheck {
    public struct Outcome: Sendable {
        public var compiles: Bool
        /// What the compiler printed for the snippet (errors when it does not compile, warnings or nothing
        /// when it does).
        public var output: String
    }

    public enum Failure: Error, CustomStringConvertible {
        /// `swiftc` was not found on PATH.
        case swiftcNotFound(path: String)
        /// The generated module's folder holds no Swift file.
        case noSources(directory: String)
        /// The generated module itself does not compile.
        case moduleDoesNotCompile(module: String, command: String, output: String)

        public var description: String {
            switch self {
            case .swiftcNotFound(let path):
                return "SwiftTypecheck: no swiftc on PATH (\(path))"
            case .noSources(let directory):
                return "SwiftTypecheck: no .swift files in \(directory)"
            case .moduleDoesNotCompile(let module, let command, let output):
                return "SwiftTypecheck: the generated module \(module) does not compile:\n$ \(command)\n\(output)"
            }
        }
    }

    public static func check(packageRoot: String, name: String, snippet: String) throws -> Outcome {
        let fileManager = FileManager.default
        let temp = fileManager.temporaryDirectory
            .appendingPathComponent("SwiftTypecheck-\(UUID().uuidString)", isDirectory: true)
        try fileManager.createDirectory(at: temp, withIntermediateDirectories: true)
        defer { try? fileManager.removeItem(at: temp) }

        // What SwiftPM would pass for a tools-version 6.0 package in a debug build, minus debug info.
        let common = ["-swift-version", "6", "-Onone", "-parse-as-library"]
        let sources = URL(fileURLWithPath: packageRoot).appendingPathComponent("Sources")
        for module in clientModules(name) {
            let files = try swiftFiles(in: sources.appendingPathComponent(module))
            let arguments =
                ["-emit-module"] + common + [
                    "-I", temp.path, "-module-name", module, "-package-name", name,
                    "-emit-module-path", temp.appendingPathComponent("\(module).swiftmodule").path,
                ] + files
            let run = try swiftc(arguments, in: temp)
            guard run.status == 0 else {
                throw Failure.moduleDoesNotCompile(module: module, command: run.command, output: run.output)
            }
        }

        let snippetFile = temp.appendingPathComponent("snippet.swift")
        try snippet.write(to: snippetFile, atomically: true, encoding: .utf8)
        let run = try swiftc(
            ["-typecheck"] + common + ["-I", temp.path, "-module-name", "AccordSnippet", snippetFile.path], in: temp)
        return Outcome(compiles: run.status == 0, output: run.output)
    }

    /// The modules an app links, in build order: each generated module after its runtime.
    private static func clientModules(_ name: String) -> [String] {
        ["\(name)APIRuntime", "\(name)API", "\(name)ClientRuntime", "\(name)Client"]
    }

    /// Builds `modules` of the package under `sources` as shared libraries in `temp`, in order, each
    /// against the ones before; returns the linker flags for all of them.
    private static func buildLibraries(
        _ modules: [String], sources: URL, packageName: String, in temp: URL
    ) throws -> [String] {
        let common = ["-swift-version", "6", "-Onone", "-I", temp.path, "-L", temp.path]
        var linked: [String] = []
        for module in modules {
            let files = try swiftFiles(in: sources.appendingPathComponent(module))
            let arguments =
                ["-emit-library", "-emit-module", "-parse-as-library"] + common + linked + [
                    "-module-name", module, "-package-name", packageName,
                    "-o", temp.appendingPathComponent("lib\(module).so").path,
                    "-emit-module-path", temp.appendingPathComponent("\(module).swiftmodule").path,
                ] + files
            let build = try swiftc(arguments, in: temp)
            guard build.status == 0 else {
                throw Failure.moduleDoesNotCompile(module: module, command: build.command, output: build.output)
            }
            linked.append("-l\(module)")
        }
        return linked
    }

    /// Decodes `json` as `type` with the generated models, compiled and run: what an installed app
    /// built from that package does with a response. `decodes == false` carries the decoding error.
    public static func decode(packageRoot: String, name: String, type: String, json: String) throws -> Outcome {
        let fileManager = FileManager.default
        let sources = URL(fileURLWithPath: packageRoot).appendingPathComponent("Sources")
        let apiFiles = try swiftFiles(in: sources.appendingPathComponent("\(name)API"))
        let temp = fileManager.temporaryDirectory.appendingPathComponent(
            "SwiftDecode-\(UUID().uuidString)", isDirectory: true)
        try fileManager.createDirectory(at: temp, withIntermediateDirectories: true)
        defer { try? fileManager.removeItem(at: temp) }
        let runtime = try buildLibraries(["\(name)APIRuntime"], sources: sources, packageName: name, in: temp)
        let main = temp.appendingPathComponent("main.swift")
        try """
        import Foundation
        import \(name)APIRuntime
        let data = FileHandle.standardInput.readDataToEndOfFile()
        do {
            _ = try JSONCoding.decoder.decode(\(type).self, from: data)
            print("decoded")
        } catch {
            print("\\(error)")
            exit(1)
        }
        """.write(to: main, atomically: true, encoding: .utf8)
        let input = temp.appendingPathComponent("input.json")
        try json.write(to: input, atomically: true, encoding: .utf8)
        let executable = temp.appendingPathComponent("decode").path
        let build = try swiftc(
            ["-swift-version", "6", "-Onone", "-I", temp.path, "-L", temp.path] + runtime + [
                "-Xlinker", "-rpath", "-Xlinker", temp.path, "-module-name", "\(name)API",
                "-package-name", name, "-o", executable,
            ] + apiFiles + [main.path],
            in: temp)
        guard build.status == 0 else {
            throw Failure.moduleDoesNotCompile(module: "\(name)API", command: build.command, output: build.output)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = try FileHandle(forReadingFrom: input)
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(compiles: process.terminationStatus == 0, output: String(decoding: data, as: UTF8.self))
    }

    /// Builds the models and client modules as libraries, then `main` as a program against them,
    /// and runs it: what an app built from the generated package does. `compiles == false` when
    /// `main` does not compile or the program exits non-zero; `output` is what it printed.
    public static func run(packageRoot: String, name: String, main: String) throws -> Outcome {
        let fileManager = FileManager.default
        let sources = URL(fileURLWithPath: packageRoot).appendingPathComponent("Sources")
        let temp = fileManager.temporaryDirectory
            .appendingPathComponent("SwiftRun-\(UUID().uuidString)", isDirectory: true)
        try fileManager.createDirectory(at: temp, withIntermediateDirectories: true)
        defer { try? fileManager.removeItem(at: temp) }
        let common = ["-swift-version", "6", "-Onone", "-I", temp.path, "-L", temp.path]
        let linked = try buildLibraries(clientModules(name), sources: sources, packageName: name, in: temp)
        let mainFile = temp.appendingPathComponent("main.swift")
        try main.write(to: mainFile, atomically: true, encoding: .utf8)
        let executable = temp.appendingPathComponent("program").path
        let build = try swiftc(
            common + linked + ["-Xlinker", "-rpath", "-Xlinker", temp.path, "-o", executable, mainFile.path], in: temp)
        guard build.status == 0 else { return Outcome(compiles: false, output: build.output) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(compiles: process.terminationStatus == 0, output: String(decoding: data, as: UTF8.self))
    }

    /// The folder's `.swift` files, sorted, as paths.
    private static func swiftFiles(in directory: URL) throws -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let files = names.filter { $0.hasSuffix(".swift") }.sorted().map { directory.appendingPathComponent($0).path }
        guard !files.isEmpty else { throw Failure.noSources(directory: directory.path) }
        return files
    }

    /// Runs swiftc with `arguments`; stdout and stderr together.
    private static func swiftc(
        _ arguments: [String], in directory: URL
    ) throws -> (status: Int32, output: String, command: String) {
        let process = Process()
        process.executableURL = try swiftcURL()
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read to the end before waiting, so a chatty compiler cannot fill the pipe and stall.
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let command = (["swiftc"] + arguments).joined(separator: " ")
        return (process.terminationStatus, String(decoding: data, as: UTF8.self), command)
    }

    /// `swiftc` from PATH.
    private static func swiftcURL() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("swiftc")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw Failure.swiftcNotFound(path: path)
    }
}
