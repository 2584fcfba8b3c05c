import Dispatch
import Foundation

/// Runs independent pieces of pure work on the machine's cores and gives their results in order.
package enum ParallelWork {
    package static func map<Input: Sendable, Output: Sendable>(
        _ inputs: [Input], _ transform: @Sendable (Input) -> Output
    ) -> [Output] {
        let results = Results<Output>(count: inputs.count)
        DispatchQueue.concurrentPerform(iterations: inputs.count) { index in
            results.set(index, transform(inputs[index]))
        }
        return results.values()
    }

    /// The slots the workers fill, one each; the lock only guards the writes.
    private final class Results<Output: Sendable>: @unchecked Sendable {
        private var slots: [Output?]
        private let lock = NSLock()

        init(count: Int) { slots = Array(repeating: nil, count: count) }

        func set(_ index: Int, _ value: Output) {
            lock.lock()
            defer { lock.unlock() }
            slots[index] = value
        }

        func values() -> [Output] {
            lock.lock()
            defer { lock.unlock() }
            return slots.map { $0! }
        }
    }
}
