/// A practical exercise: steps that must become true in order, each within its window.
///
/// An attempt starts when step 1 becomes true; each later step must become true within its
/// `within` (measured from the previous step), else the attempt fails at that step.
public struct Exercise: Sendable, Hashable {
    public var id: String
    public var title: LocalizedText
    public var steps: [Step]

    public init(id: String, title: LocalizedText, steps: [Step]) {
        self.id = id
        self.title = title
        self.steps = steps
    }

    /// One step: a condition to reach, and for every step after the first a time limit.
    public struct Step: Sendable, Hashable {
        public var reach: Expression
        /// nil: no limit (the first step never has one).
        public var within: Duration?

        public init(reach: Expression, within: Duration? = nil) {
            self.reach = reach
            self.within = within
        }
    }
}
