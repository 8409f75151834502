namespace OpenTrain.TestSupport;

/// <summary>
/// The lineage manifest of the small signed test model (every component closed with a justification, so the manifest
/// itself is complete at 'declared'): shared by the task tests and the integration tests of signed weights.
/// </summary>
internal static class SignedModelManifest
{
    /// <param name="files">Weight entries, each a JSON object (<c>{ "path": …, "sha256": …, "size": … }</c>).</param>
    /// <param name="signaturePath">The signature file next to the manifest, or null for a manifest that names none.</param>
    public static string Json(IEnumerable<string> files, string? signaturePath)
    {
        static string Closed(string what) => $$"""{ "availability": "closed", "description": "The {{what}} of the signed model.", "justification": "Internal to the producer." }""";
        string signature = signaturePath is null ? string.Empty : ",\n    \"signature\": { \"path\": \"" + signaturePath + "\" }";
        return $$"""
            {
              "manifestVersion": "1.0",
              "model": { "name": "signed", "version": "1", "producer": { "name": "Producer" }, "license": "Apache-2.0", "task": "text-classification" },
              "weights": {
                "format": "other",
                "files": [
            {{string.Join(",\n", files)}}
                ]{{signature}}
              },
              "lineage": { "derivation": "from-scratch" },
              "training": {
                "data": { "availability": "closed", "description": "Support tickets of one year.", "justification": "They contain customer names.",
                          "sources": [{ "name": "Help desk exports" }], "collection": "All tickets of 2025 exported from the help desk.",
                          "cleaning": "Names and e-mail addresses were removed.", "labeling": { "method": "human", "criteria": "Urgent when a customer cannot work." } },
                "processing": { "availability": "closed", "description": "Scripts that anonymise and split tickets.", "justification": "Internal to the producer.", "method": "Anonymise, deduplicate, split by month." },
                "configuration": { "architecture": { "availability": "closed", "description": "A small convolutional text classifier.", "justification": "Internal to the producer.", "family": "cnn" }, "hyperparameters": {{Closed("hyperparameters")}} },
                "code": {{Closed("training code")}},
                "evaluation": { "availability": "closed", "description": "Accuracy on December tickets.", "justification": "Internal to the producer.",
                                "metrics": [{ "metric": "accuracy", "value": 0.8, "dataset": "december" }],
                                "datasets": [{ "id": "december", "name": "December tickets", "availability": "closed", "description": "Tickets of December 2025.", "justification": "They contain customer names.",
                                               "sources": [{ "name": "Help desk exports" }], "collection": "All tickets of December exported.", "cleaning": "Names and e-mail addresses were removed.", "labeling": { "method": "none" } }],
                                "code": {{Closed("evaluation code")}} }
              },
              "documentation": { "modelCard": {{Closed("model card")}}, "dataCard": {{Closed("data card")}} }
            }
            """;
    }
}
