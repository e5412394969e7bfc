extension ProfileLoader {
    /// The file a profile argument names: a path as given (it has a `/` or ends in `.yaml` or
    /// `.yml`), else `DEVICES/<name>.yaml`.
    public static func path(of name: String, devices: String) -> String {
        name.contains("/") || name.hasSuffix(".yaml") || name.hasSuffix(".yml") ? name : "\(devices)/\(name).yaml"
    }
}
