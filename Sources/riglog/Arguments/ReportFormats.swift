public import ArgumentParser
public import Reports

// The formats and languages of Reports as arguments: the enums are the parsers, and their cases
// are what a wrong value's error message offers.

/// `--format text|html|json` of `riglog report`.
extension ReportRequest.Format: ExpressibleByArgument {}

/// `--lang en|ru|kk|zh` of `riglog report`.
extension ReportLanguage: ExpressibleByArgument {}

/// `--format csv|moodle|canvas` of `riglog export assessment`.
extension AssessmentLayout: ExpressibleByArgument {}

/// `--grades passed|points` of `riglog export assessment`.
extension AssessmentGrades: ExpressibleByArgument {}

/// `--match id|email|login` of `riglog export assessment`.
extension AssessmentMatch: ExpressibleByArgument {}
