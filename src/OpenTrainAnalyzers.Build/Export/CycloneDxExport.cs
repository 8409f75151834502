using System;
using System.Collections.Generic;
using System.Linq;
using OpenTrain.Lineage;
using OpenTrain.Lineage.Json;
using OpenTrain.Lineage.Model;
using OpenTrainAnalyzers.Build.Reports;

namespace OpenTrainAnalyzers.Build.Export;

/// <summary>
/// CycloneDX 1.6 JSON (an ML-BOM): one machine-learning-model component per manifest, with its weight files, licences,
/// external references, model card and pedigree; one data component per dataset (CycloneDX's inline componentData
/// cannot carry a licence). The gate's levels and exceptions are properties in the opentrain: namespace.
/// Mapping: docs/exports.md.
/// </summary>
internal static class CycloneDxExport
{
    private const string SpecVersionLine = "\"specVersion\": \"1.6\",\n";

    public static string Write(ExportSet set)
    {
        // The serial number is derived from the content, so it goes into the written document afterwards, on the
        // line after the spec version (where CycloneDX tools expect it).
        string body = Body(set);
        int at = body.IndexOf(SpecVersionLine, StringComparison.Ordinal) + SpecVersionLine.Length;
        return body.Insert(at, "  \"serialNumber\": \"urn:uuid:" + ExportSet.ContentUuid(body) + "\",\n");
    }

    private static string Body(ExportSet set)
    {
        var json = new JsonWriter().BeginObject()
            .Property("bomFormat", "CycloneDX")
            .Property("specVersion", "1.6")
            .Property("version", 1);
        json.Name("metadata").BeginObject();
        if (set.Timestamp is { } timestamp)
        {
            json.Property("timestamp", ExportSet.Iso(timestamp));
        }

        json.Name("tools").BeginObject().Name("components").BeginArray().BeginObject()
            .Property("type", "application").Property("name", LineageReport.ToolName);
        if (set.ToolVersion is not null)
        {
            json.Property("version", set.ToolVersion);
        }

        json.EndObject().EndArray().EndObject();
        json.Name("component").BeginObject().Property("type", "application").Property("bom-ref", "project").Property("name", set.ProjectName);
        if (set.ProjectVersion is not null)
        {
            json.Property("version", set.ProjectVersion);
        }

        json.EndObject();
        Properties(json, new[] { ("opentrain:level:required", set.RequiredLevel.ToName()) });
        json.EndObject();

        json.Name("components").BeginArray();
        foreach (var model in set.Models)
        {
            Model(json, model);
            foreach (var (dataset, training) in model.Datasets())
            {
                Data(json, model, dataset, training);
            }
        }

        json.EndArray();
        return json.EndObject().ToString();
    }

    private static void Model(JsonWriter json, ExportedModel model)
    {
        var document = model.Document;
        var identity = document.Model.Node;
        string reference = "model:" + model.RelativePath;
        json.BeginObject().Property("type", "machine-learning-model").Property("bom-ref", reference);
        Supplier(json, identity?.Producer.Node);
        json.Property("name", model.Name);
        if (model.Version is { } version)
        {
            json.Property("version", version);
        }

        if (identity?.Description.AsString() is { } description)
        {
            json.Property("description", description);
        }

        var files = document.Weights.Node?.Files.Nodes ?? Array.Empty<WeightFile>();
        var digested = files.Where(f => f.DeclaredSha256 is { } sha && Digests.IsSha256(sha)).ToList();
        if (digested.Count == 1)
        {
            Hashes(json, digested[0].DeclaredSha256!);
        }

        Licenses(json, identity?.License.AsString(), identity?.LicenseUrl.AsString());
        ExternalReferences(json, ModelReferences(document));
        ModelCard(json, model);
        if (model.Parents.Count > 0)
        {
            json.Name("pedigree").BeginObject();
            Ancestors(json, model.Parents, "ancestor:" + model.RelativePath);
            json.EndObject();
        }

        if (files.Count > 0)
        {
            json.Name("components").BeginArray();
            foreach (var file in files.Where(f => f.RelativePath is not null))
            {
                json.BeginObject().Property("type", "file").Property("bom-ref", reference + "#" + file.RelativePath).Property("name", file.RelativePath);
                if (file.DeclaredSha256 is { } sha && Digests.IsSha256(sha))
                {
                    Hashes(json, sha);
                }

                var fileProperties = new List<(string, string)>();
                if (file.DeclaredSize is { } size)
                {
                    fileProperties.Add(("opentrain:size", size.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                }

                if (file.Role.AsString() is { } role)
                {
                    fileProperties.Add(("opentrain:role", role));
                }

                Properties(json, fileProperties);
                json.EndObject();
            }

            json.EndArray();
        }

        var properties = new List<(string, string)>
        {
            ("opentrain:manifest", model.RelativePath),
            ("opentrain:level:own", model.OwnLevel.ToName()),
            ("opentrain:level:effective", model.EffectiveLevel.ToName()),
            ("opentrain:weights:verified", model.WeightsVerified ? "true" : "false"),
        };
        if (document.Lineage.Node?.Derivation.AsString() is { } derivation)
        {
            properties.Add(("opentrain:derivation", derivation));
        }

        if (model.PackageUrl is { } package)
        {
            properties.Add(("opentrain:package", package)); // the NuGet package that brought the model and its lineage
        }

        foreach (var (name, component) in Components(document))
        {
            if (component?.Availability.AsString() is { } availability)
            {
                properties.Add(("opentrain:availability:" + name, availability));
            }
        }

        foreach (var suppression in model.Suppressions)
        {
            properties.Add(("opentrain:suppression", $"{suppression.Id} at {suppression.Element ?? "$"}: {suppression.Justification} (until {suppression.UntilText ?? "no date"})"));
        }

        Properties(json, properties);
        json.EndObject();
    }

    private static void ModelCard(JsonWriter json, ExportedModel model)
    {
        var document = model.Document;
        var identity = document.Model.Node;
        var training = document.Training.Node;
        json.Name("modelCard").BeginObject();

        json.Name("modelParameters").BeginObject();
        if (identity?.Approach.AsString() is { } approach)
        {
            json.Name("approach").BeginObject().Property("type", approach).EndObject();
        }

        if (identity?.Task.AsString() is { } task)
        {
            json.Property("task", task);
        }

        var architecture = training?.Configuration.Node?.Architecture.Node;
        if (architecture?.Family.AsString() is { } family)
        {
            json.Property("architectureFamily", family);
        }

        if (architecture?.Name.AsString() is { } architectureName)
        {
            json.Property("modelArchitecture", architectureName);
        }

        var datasets = model.Datasets().ToList();
        if (datasets.Count > 0)
        {
            json.Name("datasets").BeginArray();
            foreach (var (dataset, _) in datasets)
            {
                json.BeginObject().Property("ref", DataReference(model, dataset)).EndObject();
            }

            json.EndArray();
        }

        InputsOutputs(json, "inputs", identity?.Inputs);
        InputsOutputs(json, "outputs", identity?.Outputs);
        json.EndObject();

        var metrics = (training?.Evaluation.Node?.Metrics.Nodes ?? Array.Empty<Metric>()).Where(m => m.Value.Value?.Kind == JsonValueKind.Number).ToList();
        if (metrics.Count > 0)
        {
            json.Name("quantitativeAnalysis").BeginObject().Name("performanceMetrics").BeginArray();
            foreach (var metric in metrics)
            {
                json.BeginObject();
                if (metric.MetricName.AsString() is { } name)
                {
                    json.Property("type", name);
                }

                json.Property("value", metric.Value.Text);
                string slice = string.Join(" ", new[] { metric.Dataset.AsString(), metric.Split.AsString(), metric.Slice.AsString() }.Where(s => s is not null));
                if (slice.Length > 0)
                {
                    json.Property("slice", slice);
                }

                if (metric.ConfidenceInterval.Node is { } interval && interval.Lower.Value?.Kind == JsonValueKind.Number && interval.Upper.Value?.Kind == JsonValueKind.Number)
                {
                    json.Name("confidenceInterval").BeginObject().Property("lowerBound", interval.Lower.Text).Property("upperBound", interval.Upper.Text).EndObject();
                }

                json.EndObject();
            }

            json.EndArray().EndObject();
        }

        var useCases = identity?.IntendedUse.AsString();
        var limitations = identity?.Limitations.AsString();
        if (useCases is not null || limitations is not null)
        {
            json.Name("considerations").BeginObject();
            if (useCases is not null)
            {
                json.Name("useCases").BeginArray().String(useCases).EndArray();
            }

            if (limitations is not null)
            {
                json.Name("technicalLimitations").BeginArray().String(limitations).EndArray();
            }

            json.EndObject();
        }

        var hyperparameters = training?.Configuration.Node?.Hyperparameters.Node?.Values.Value;
        if (hyperparameters is { Kind: JsonValueKind.Object })
        {
            Properties(json, hyperparameters.Properties.Select(p => ("cdx:ai-ml:model:hyperparameter:" + p.Name, ExportSet.Compact(p.Value))).ToList());
        }

        json.EndObject();
    }

    private static void Data(JsonWriter json, ExportedModel model, Dataset dataset, bool training)
    {
        string name = dataset.Name.AsString() ?? ExportedModel.IdOf(dataset) ?? "dataset";
        json.BeginObject().Property("type", "data").Property("bom-ref", DataReference(model, dataset)).Property("name", name);
        if (dataset.Version.AsString() is { } version)
        {
            json.Property("version", version);
        }

        if (dataset.Description.AsString() is { } description)
        {
            json.Property("description", description);
        }

        Licenses(json, dataset.License.AsString(), dataset.LicenseUrl.AsString());
        var references = ExportSet.UrlLocations(dataset).Select(l => ("distribution", l, "dataset")).ToList();
        if (dataset.DataCard.Node is { } card && ExportSet.IsWebUrl(card.Url.AsString()))
        {
            references.Add(("documentation", card, "data card"));
        }

        ExternalReferences(json, references);

        json.Name("data").BeginArray().BeginObject().Property("type", "dataset").Property("name", name);
        if (ExportSet.UrlLocations(dataset).FirstOrDefault() is { } first)
        {
            json.Name("contents").BeginObject().Property("url", first.Url.AsString()).EndObject();
        }

        if (dataset.PersonalData.AsString() == "yes")
        {
            json.Name("sensitiveData").BeginArray().String(dataset.PersonalDataHandling.AsString() ?? "personal data").EndArray();
        }

        var owners = dataset.Sources.Nodes.Where(s => s.Name.AsString() is not null).ToList();
        if (owners.Count > 0)
        {
            // The sources the data was taken from are the parties that hold it.
            json.Name("governance").BeginObject().Name("owners").BeginArray();
            foreach (var source in owners)
            {
                json.BeginObject().Name("organization").BeginObject().Property("name", source.Name.AsString());
                if (ExportSet.IsWebUrl(source.Url.AsString()))
                {
                    json.Name("url").BeginArray().String(source.Url.AsString()).EndArray();
                }

                json.EndObject().EndObject();
            }

            json.EndArray().EndObject();
        }

        json.EndObject().EndArray();

        var properties = new List<(string, string)> { ("opentrain:dataset:use", training ? "training" : "evaluation") };
        Add(properties, "opentrain:availability", dataset.Availability);
        Add(properties, "opentrain:role", dataset.Role);
        Add(properties, "opentrain:collection", dataset.Collection);
        Add(properties, "opentrain:cleaning", dataset.Cleaning);
        Add(properties, "opentrain:labeling:method", dataset.Labeling.Node?.Method ?? default);
        Add(properties, "opentrain:labeling:criteria", dataset.Labeling.Node?.Criteria ?? default);
        Add(properties, "opentrain:knownBiases", dataset.KnownBiases);
        Add(properties, "opentrain:justification", dataset.Justification);
        Add(properties, "opentrain:accessConditions", dataset.AccessConditions);
        Properties(json, properties);
        json.EndObject();
    }

    private static void Ancestors(JsonWriter json, IReadOnlyList<ResolvedParent> parents, string prefix)
    {
        json.Name("ancestors").BeginArray();
        for (int i = 0; i < parents.Count; i++)
        {
            var parent = parents[i];
            var parentDocument = parent.Manifest?.Document;
            string reference = prefix + "/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string name = parent.Entry.Name.AsString() ?? parentDocument?.Model.Node?.Name.AsString() ?? "parent " + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            json.BeginObject().Property("type", "machine-learning-model").Property("bom-ref", reference).Property("name", name);
            if ((parent.Entry.Version.AsString() ?? parentDocument?.Model.Node?.Version.AsString()) is { } version)
            {
                json.Property("version", version);
            }

            var parentFiles = (parentDocument?.Weights.Node?.Files.Nodes ?? Array.Empty<WeightFile>()).Where(f => f.DeclaredSha256 is { } sha && Digests.IsSha256(sha)).ToList();
            if (parentFiles.Count == 1)
            {
                Hashes(json, parentFiles[0].DeclaredSha256!);
            }

            Licenses(json, parent.Entry.License.AsString() ?? parentDocument?.Model.Node?.License.AsString(), null);
            if (parent.Parents.Count > 0)
            {
                json.Name("pedigree").BeginObject();
                Ancestors(json, parent.Parents, reference);
                json.EndObject();
            }

            var properties = new List<(string, string)> { ("opentrain:level:effective", parent.EffectiveLevel.ToName()) };
            Add(properties, "opentrain:relation", parent.Entry.Relation);
            Add(properties, "opentrain:manifest:sha256", parent.Entry.Manifest.Node?.Sha256 ?? default);
            properties.Add(("opentrain:manifest:verified", parent.Manifest is null ? "false" : "true"));
            Properties(json, properties);
            json.EndObject();
        }

        json.EndArray();
    }

    private static IEnumerable<(string Name, Disclosure? Component)> Components(LineageDocument document)
    {
        var training = document.Training.Node;
        yield return ("data", training?.Data.Node);
        yield return ("processing", training?.Processing.Node);
        yield return ("architecture", training?.Configuration.Node?.Architecture.Node);
        yield return ("hyperparameters", training?.Configuration.Node?.Hyperparameters.Node);
        yield return ("trainingCode", training?.Code.Node);
        yield return ("evaluation", training?.Evaluation.Node);
        yield return ("evaluationCode", training?.Evaluation.Node?.Code.Node);
        yield return ("checkpoints", training?.Checkpoints.Node);
        yield return ("inference", document.Inference.Node);
    }

    private static List<(string Type, Location Location, string What)> ModelReferences(LineageDocument document)
    {
        var training = document.Training.Node;
        var documentation = document.Documentation.Node;
        var references = new List<(string, Location, string)>();
        void AddAll(Disclosure? component, string type, string what) => references.AddRange(ExportSet.UrlLocations(component).Select(l => (type, l, what)));

        AddAll(documentation?.ModelCard.Node, "model-card", "model card");
        AddAll(documentation?.DataCard.Node, "documentation", "data card");
        AddAll(documentation?.TechnicalReport.Node, "documentation", "technical report");
        AddAll(documentation?.ResearchPaper.Node, "documentation", "research paper");
        AddAll(training?.Processing.Node, "vcs", "data processing code");
        AddAll(training?.Configuration.Node?.Architecture.Node, "vcs", "architecture code");
        if (training?.Configuration.Node?.Architecture.Node?.Definition.Node is { } definition && ExportSet.IsWebUrl(definition.Url.AsString()))
        {
            references.Add(("vcs", definition, "architecture definition"));
        }

        AddAll(training?.Configuration.Node?.Hyperparameters.Node, "configuration", "hyperparameters");
        if (training?.Configuration.Node?.Hyperparameters.Node?.ConfigFile.Node is { } config && ExportSet.IsWebUrl(config.Url.AsString()))
        {
            references.Add(("configuration", config, "training configuration file"));
        }

        AddAll(training?.Code.Node, "vcs", "training code");
        AddAll(training?.Evaluation.Node, "other", "evaluation results");
        AddAll(training?.Evaluation.Node?.Code.Node, "vcs", "evaluation code");
        AddAll(training?.Checkpoints.Node, "distribution", "intermediate checkpoints");
        AddAll(document.Inference.Node, "vcs", "inference code");
        foreach (var attestation in document.Attestations.Nodes)
        {
            if (attestation.Location.Node is { } location && ExportSet.IsWebUrl(location.Url.AsString()))
            {
                references.Add(("attestation", location, attestation.Type.AsString() ?? "attestation"));
            }
        }

        return references;
    }

    private static void ExternalReferences(JsonWriter json, List<(string Type, Location Location, string What)> references)
    {
        if (references.Count == 0)
        {
            return;
        }

        json.Name("externalReferences").BeginArray();
        foreach (var (type, location, what) in references)
        {
            json.BeginObject().Property("url", location.Url.AsString()).Property("type", type);
            string comment = location.Revision.AsString() is { } revision ? $"{what}, revision {revision}" : what;
            json.Property("comment", comment);
            if (location.Digest.Node?.Sha256.AsString() is { } sha && Digests.IsSha256(sha))
            {
                Hashes(json, sha);
            }

            json.EndObject();
        }

        json.EndArray();
    }

    private static void Supplier(JsonWriter json, Party? producer)
    {
        if (producer?.Name.AsString() is not { } name)
        {
            return;
        }

        json.Name("supplier").BeginObject().Property("name", name);
        if (ExportSet.IsWebUrl(producer.Url.AsString()))
        {
            json.Name("url").BeginArray().String(producer.Url.AsString()).EndArray();
        }

        if (producer.Email.AsString() is { } email)
        {
            json.Name("contact").BeginArray().BeginObject().Property("email", email).EndObject().EndArray();
        }

        json.EndObject();
    }

    /// <summary>An SPDX expression as such; a licence outside SPDX by name (and URL); NOASSERTION and NONE leave it out.</summary>
    private static void Licenses(JsonWriter json, string? license, string? url)
    {
        if (license is null)
        {
            return;
        }

        switch (LicenseExpressions.Classify(license))
        {
            case LicenseForm.Expression:
                json.Name("licenses").BeginArray().BeginObject().Property("expression", license.Trim()).EndObject().EndArray();
                break;
            case LicenseForm.Named:
                json.Name("licenses").BeginArray().BeginObject().Name("license").BeginObject().Property("name", license.Trim());
                if (ExportSet.IsWebUrl(url))
                {
                    json.Property("url", url);
                }

                json.EndObject().EndObject().EndArray();
                break;
        }
    }

    private static void InputsOutputs(JsonWriter json, string name, ManifestField? field)
    {
        var formats = (field?.Items ?? Array.Empty<JsonValue>()).Select(i => i.AsString()).Where(s => s is not null).ToList();
        if (formats.Count == 0)
        {
            return;
        }

        json.Name(name).BeginArray();
        foreach (var format in formats)
        {
            json.BeginObject().Property("format", format).EndObject();
        }

        json.EndArray();
    }

    private static void Hashes(JsonWriter json, string sha256) =>
        json.Name("hashes").BeginArray().BeginObject().Property("alg", "SHA-256").Property("content", sha256).EndObject().EndArray();

    private static string DataReference(ExportedModel model, Dataset dataset) =>
        "dataset:" + model.RelativePath + "#" + (ExportedModel.IdOf(dataset) ?? dataset.JsonPath);

    private static void Add(List<(string, string)> properties, string name, ManifestField field)
    {
        if (field.Owner is not null && field.AsString() is { } text && text.Trim().Length > 0)
        {
            properties.Add((name, text));
        }
    }

    private static void Properties(JsonWriter json, IReadOnlyCollection<(string Name, string Value)> properties)
    {
        if (properties.Count == 0)
        {
            return;
        }

        json.Name("properties").BeginArray();
        foreach (var (name, value) in properties)
        {
            json.BeginObject().Property("name", name).Property("value", value).EndObject();
        }

        json.EndArray();
    }
}
