using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using OpenTrain.Lineage;
using OpenTrain.Lineage.Json;
using OpenTrain.Lineage.Model;
using OpenTrainAnalyzers.Build.Reports;

namespace OpenTrainAnalyzers.Build.Export;

/// <summary>
/// SPDX 3.0.1 JSON-LD with the Core, Software, AI, Dataset and licensing profiles: an ai_AIPackage per model, a
/// dataset_DatasetPackage per dataset, the weight files with their hashes, and the relationships (contains, trainedOn,
/// testedOn, ancestorOf, hasDeclaredLicense, hasConcludedLicense). Every package gets exactly one declared and one
/// concluded licence relationship, and the external properties the AI and Dataset profiles require. Mapping:
/// docs/exports.md.
/// </summary>
internal static class SpdxExport
{
    private const string Namespace = "{namespace}";
    private const string NoAssertion = "expandedlicensing_NoAssertionLicense";

    public static string Write(ExportSet set)
    {
        // Element ids live under a namespace derived from the content itself, so the same inputs give the same ids.
        string body = new Writer(set).Document();
        string ns = "urn:opentrain:spdx:" + ExportSet.ContentUuid(body) + ":";
        return body.Replace(Namespace, ns);
    }

    private sealed class Writer
    {
        private readonly ExportSet _set;
        private readonly JsonWriter _json = new();
        private readonly List<string> _elements = new();
        private readonly List<string> _roots = new();
        private readonly Dictionary<string, string> _agents = new(StringComparer.Ordinal);
        private int _relationships;
        private int _licenses;
        private readonly string _time;

        public Writer(ExportSet set)
        {
            _set = set;

            // SPDX requires a creation time; with neither SOURCE_DATE_EPOCH nor a manifest 'created', the Unix epoch
            // stands for "not recorded" (docs/exports.md): never the clock.
            _time = ExportSet.Iso(set.Timestamp ?? new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        }

        public string Document()
        {
            _json.BeginObject().Property("@context", "https://spdx.org/rdf/3.0.1/spdx-context.jsonld").Name("@graph").BeginArray();
            string tool = Id("agent/" + LineageReport.ToolName);
            _json.BeginObject().Property("type", "CreationInfo").Property("@id", "_:creationinfo").Property("specVersion", "3.0.1")
                .Property("created", _time).Name("createdBy").BeginArray().String(tool).EndArray().EndObject();
            Element("SoftwareAgent", tool, LineageReport.ToolName + (_set.ToolVersion is null ? string.Empty : " " + _set.ToolVersion));

            foreach (var model in _set.Models)
            {
                Model(model);
            }

            string document = Id("document");
            _json.BeginObject().Property("type", "SpdxDocument").Property("spdxId", document).Property("creationInfo", "_:creationinfo")
                .Property("name", "Training lineage of " + _set.ProjectName + (_set.ProjectVersion is null ? string.Empty : " " + _set.ProjectVersion))
                .Property("comment", "Written by OpenTrainAnalyzers from the lineage manifests its build checked; required level: " + _set.RequiredLevel.ToName() + ".")
                .Name("profileConformance").BeginArray().String("core").String("software").String("ai").String("dataset").String("simpleLicensing").String("expandedLicensing").EndArray();
            Strings("rootElement", _roots);
            Strings("element", _elements);
            _json.EndObject();
            return _json.EndArray().EndObject().ToString();
        }

        private void Model(ExportedModel model)
        {
            var document = model.Document;
            var identity = document.Model.Node;
            var training = document.Training.Node;
            string package = Id("model/" + model.RelativePath);
            _roots.Add(package);
            string supplier = Agent(identity?.Producer.Node?.Name.AsString());

            Begin("ai_AIPackage", package, model.Name);
            if (identity?.Description.AsString() is { } description)
            {
                _json.Property("description", description);
            }

            _json.Property("software_packageVersion", model.Version ?? "NOASSERTION");
            _json.Property("software_downloadLocation", DownloadLocation(document) ?? "NOASSERTION");
            _json.Property("suppliedBy", supplier);
            _json.Property("releaseTime", _time);
            _json.Property("software_primaryPurpose", "model");
            if (training?.Configuration.Node?.Architecture.Node?.Family.AsString() is { } family)
            {
                _json.Name("ai_typeOfModel").BeginArray().String(family).EndArray();
            }

            if (identity?.Task.AsString() is { } task)
            {
                _json.Name("ai_domain").BeginArray().String(task).EndArray();
            }

            if (training?.Configuration.Node?.Hyperparameters.Node?.Values.Value is { Kind: JsonValueKind.Object } values && values.Properties.Count > 0)
            {
                _json.Name("ai_hyperparameter").BeginArray();
                foreach (var property in values.Properties)
                {
                    _json.BeginObject().Property("type", "DictionaryEntry").Property("key", property.Name).Property("value", ExportSet.Compact(property.Value)).EndObject();
                }

                _json.EndArray();
            }

            var metrics = (training?.Evaluation.Node?.Metrics.Nodes ?? Array.Empty<Metric>()).Where(m => m.Value.Value?.Kind == JsonValueKind.Number).ToList();
            if (metrics.Count > 0)
            {
                _json.Name("ai_metric").BeginArray();
                foreach (var metric in metrics)
                {
                    string key = metric.MetricName.AsString() ?? "metric";
                    string on = string.Join("/", new[] { metric.Dataset.AsString(), metric.Split.AsString(), metric.Slice.AsString() }.Where(s => s is not null));
                    _json.BeginObject().Property("type", "DictionaryEntry").Property("key", on.Length == 0 ? key : key + " on " + on).Property("value", metric.Value.Text).EndObject();
                }

                _json.EndArray();
            }

            if (identity?.Limitations.AsString() is { } limitations)
            {
                _json.Property("ai_limitation", limitations);
            }

            if (identity?.IntendedUse.AsString() is { } intended)
            {
                _json.Property("ai_informationAboutApplication", intended);
            }

            _json.Property("ai_informationAboutTraining", AboutTraining(model));
            var datasets = model.Datasets().ToList();
            var personal = datasets.Select(d => d.Dataset.PersonalData.AsString()).ToList();
            _json.Property("ai_useSensitivePersonalInformation", personal.Contains("yes") ? "yes" : personal.Count > 0 && personal.All(p => p == "no") ? "no" : "noAssertion");
            var files = document.Weights.Node?.Files.Nodes ?? Array.Empty<WeightFile>();
            var digested = files.Where(f => f.DeclaredSha256 is { } sha && Digests.IsSha256(sha)).ToList();
            if (digested.Count == 1)
            {
                Hash(digested[0].DeclaredSha256!);
            }

            ExternalRefs(document);
            _json.EndObject();
            Licenses(package, identity?.License.AsString(), identity?.LicenseUrl.AsString());

            var fileIds = new List<string>();
            foreach (var file in files.Where(f => f.RelativePath is not null))
            {
                string id = Id("file/" + model.RelativePath + "/" + file.RelativePath);
                Begin("software_File", id, file.RelativePath!);
                if (file.DeclaredSha256 is { } sha && Digests.IsSha256(sha))
                {
                    Hash(sha);
                }

                _json.Property("software_primaryPurpose", file.Role.AsString() is "model" or "external-data" or "adapter" or null ? "model" : "configuration");
                _json.EndObject();
                fileIds.Add(id);
            }

            Relationship(package, "contains", fileIds);

            var trainedOn = new List<string>();
            var testedOn = new List<string>();
            foreach (var (dataset, isTraining) in datasets)
            {
                string id = Dataset(model, dataset);
                (isTraining ? trainedOn : testedOn).Add(id);
            }

            // An evaluation entry that refers to a training dataset: the model was tested on it too.
            foreach (var reference in training?.Evaluation.Node?.Datasets.Nodes.Where(d => d.Ref.Value is not null) ?? Enumerable.Empty<Dataset>())
            {
                testedOn.Add(Id("dataset/" + model.RelativePath + "#" + reference.Ref.AsString()));
            }

            Relationship(package, "trainedOn", trainedOn);
            Relationship(package, "testedOn", testedOn.Distinct().ToList());
            Ancestors(package, model.Parents, "ancestor/" + model.RelativePath);
        }

        private string Dataset(ExportedModel model, Dataset dataset)
        {
            string id = Id("dataset/" + model.RelativePath + "#" + (ExportedModel.IdOf(dataset) ?? dataset.JsonPath));
            string name = dataset.Name.AsString() ?? ExportedModel.IdOf(dataset) ?? "dataset";
            var sources = dataset.Sources.Nodes.Select(s => s.Name.AsString()).Where(s => s is not null).ToList();
            string origin = Agent(sources.FirstOrDefault());

            Begin("dataset_DatasetPackage", id, name);
            if (dataset.Description.AsString() is { } description)
            {
                _json.Property("description", description);
            }

            _json.Property("software_packageVersion", dataset.Version.AsString() ?? "NOASSERTION");
            _json.Property("software_downloadLocation", ExportSet.UrlLocations(dataset).FirstOrDefault()?.Url.AsString() ?? "NOASSERTION");
            _json.Property("builtTime", _time);
            _json.Name("originatedBy").BeginArray().String(origin).EndArray();
            _json.Property("releaseTime", _time);
            _json.Property("software_primaryPurpose", "data");
            var types = dataset.DatasetType.Items.Select(t => t.AsString()).Where(t => t is not null && Array.IndexOf(DatasetTypes, t) >= 0).ToList();
            _json.Name("dataset_datasetType").BeginArray();
            foreach (var type in types.Count == 0 ? new List<string?> { "noAssertion" } : types)
            {
                _json.String(type);
            }

            _json.EndArray();
            switch (dataset.Availability.AsString())
            {
                case "open" when ExportSet.UrlLocations(dataset).Any():
                    _json.Property("dataset_datasetAvailability", "directDownload");
                    break;
                case "restricted":
                    _json.Property("dataset_datasetAvailability", "registration");
                    break;
            }

            if (dataset.Collection.AsString() is { } collection)
            {
                _json.Property("dataset_dataCollectionProcess", collection);
            }

            if (dataset.Cleaning.AsString() is { } cleaning)
            {
                _json.Name("dataset_dataPreprocessing").BeginArray().String(cleaning).EndArray();
            }

            if (dataset.KnownBiases.AsString() is { } biases)
            {
                _json.Name("dataset_knownBias").BeginArray().String(biases).EndArray();
            }

            if (dataset.Size.Node?.Bytes.Int64 is { } bytes && bytes >= 0)
            {
                _json.Property("dataset_datasetSize", bytes);
            }

            _json.Property("dataset_hasSensitivePersonalInformation", dataset.PersonalData.AsString() switch { "yes" => "yes", "no" => "no", _ => "noAssertion" });
            if (dataset.Labeling.Node is { } labeling && labeling.Method.AsString() is { } method)
            {
                _json.Property("comment", "Labelling: " + method + (labeling.Criteria.AsString() is { } criteria ? " — " + criteria : string.Empty));
            }

            _json.EndObject();
            Licenses(id, dataset.License.AsString(), dataset.LicenseUrl.AsString());
            return id;
        }

        private void Ancestors(string child, IReadOnlyList<ResolvedParent> parents, string prefix)
        {
            for (int i = 0; i < parents.Count; i++)
            {
                var parent = parents[i];
                var parentDocument = parent.Manifest?.Document;
                string id = Id(prefix + "/" + i.ToString(CultureInfo.InvariantCulture));
                string name = parent.Entry.Name.AsString() ?? parentDocument?.Model.Node?.Name.AsString() ?? "parent";
                string supplier = Agent(parentDocument?.Model.Node?.Producer.Node?.Name.AsString()); // an element of its own: before this one opens
                Begin("ai_AIPackage", id, name);
                _json.Property("software_packageVersion", parent.Entry.Version.AsString() ?? parentDocument?.Model.Node?.Version.AsString() ?? "NOASSERTION");
                _json.Property("software_downloadLocation", (parentDocument is null ? null : DownloadLocation(parentDocument)) ?? "NOASSERTION");
                _json.Property("suppliedBy", supplier);
                _json.Property("releaseTime", _time);
                _json.Property("software_primaryPurpose", "model");
                _json.Property("comment", $"Parent ({parent.Entry.Relation.AsString() ?? "derivation not stated"}); effective openness level {parent.EffectiveLevel.ToName()}; manifest {(parent.Manifest is null ? "not verified" : "verified by SHA-256")}.");
                _json.EndObject();
                Licenses(id, parent.Entry.License.AsString() ?? parentDocument?.Model.Node?.License.AsString(), null);
                Relationship(id, "ancestorOf", new List<string> { child });
                Ancestors(id, parent.Parents, prefix + "/" + i.ToString(CultureInfo.InvariantCulture));
            }
        }

        private static string AboutTraining(ExportedModel model)
        {
            var document = model.Document;
            var training = document.Training.Node;
            var text = new StringBuilder();
            text.Append("Derivation: ").Append(document.Lineage.Node?.Derivation.AsString() ?? "not stated").Append(". ");
            foreach (var (name, component) in new (string, Disclosure?)[]
            {
                ("Training data", training?.Data.Node), ("Data processing", training?.Processing.Node), ("Architecture", training?.Configuration.Node?.Architecture.Node),
                ("Hyperparameters", training?.Configuration.Node?.Hyperparameters.Node), ("Training code", training?.Code.Node), ("Evaluation", training?.Evaluation.Node),
            })
            {
                text.Append(name).Append(": ").Append(component?.Availability.AsString() ?? "not disclosed");
                if (component?.Description.AsString() is { } description)
                {
                    text.Append(" — ").Append(description.Trim().TrimEnd('.'));
                }

                text.Append(". ");
            }

            var frameworks = training?.Code.Node?.Framework.Nodes.Select(f => (f.Name.AsString() + " " + f.Version.AsString()).Trim()).Where(f => f.Length > 0).ToList();
            if (frameworks is { Count: > 0 })
            {
                text.Append("Frameworks: ").Append(string.Join(", ", frameworks)).Append(". ");
            }

            text.Append("Openness level: ").Append(model.EffectiveLevel.ToName()).Append(" (own ").Append(model.OwnLevel.ToName()).Append(").");
            foreach (var suppression in model.Suppressions)
            {
                text.Append(" Exception ").Append(suppression.Id).Append(" at ").Append(suppression.Element ?? "$").Append(": ").Append(suppression.Justification)
                    .Append(" (until ").Append(suppression.UntilText ?? "no date").Append(").");
            }

            return text.ToString();
        }

        private static string? DownloadLocation(LineageDocument document) =>
            document.Model.Node?.Identifiers.Value?.Properties.Select(p => p.Value.AsString()).FirstOrDefault(ExportSet.IsWebUrl)
            ?? ExportSet.UrlLocations(document.Documentation.Node?.ModelCard.Node).FirstOrDefault()?.Url.AsString();

        private void ExternalRefs(LineageDocument document)
        {
            var training = document.Training.Node;
            var documentation = document.Documentation.Node;
            var references = new List<(string Type, string Url, string What)>();
            void AddAll(Disclosure? component, string type, string what) =>
                references.AddRange(ExportSet.UrlLocations(component).Select(l => (type, l.Url.AsString()!, l.Revision.AsString() is { } r ? what + ", revision " + r : what)));

            AddAll(documentation?.ModelCard.Node, "documentation", "model card");
            AddAll(documentation?.DataCard.Node, "documentation", "data card");
            AddAll(documentation?.TechnicalReport.Node, "documentation", "technical report");
            AddAll(documentation?.ResearchPaper.Node, "documentation", "research paper");
            AddAll(training?.Processing.Node, "vcs", "data processing code");
            AddAll(training?.Configuration.Node?.Architecture.Node, "vcs", "architecture code");
            AddAll(training?.Code.Node, "vcs", "training code");
            AddAll(training?.Evaluation.Node, "metrics", "evaluation results");
            AddAll(training?.Evaluation.Node?.Code.Node, "vcs", "evaluation code");
            AddAll(training?.Checkpoints.Node, "altDownloadLocation", "intermediate checkpoints");
            AddAll(document.Inference.Node, "vcs", "inference code");
            if (references.Count == 0)
            {
                return;
            }

            _json.Name("externalRef").BeginArray();
            foreach (var (type, url, what) in references)
            {
                _json.BeginObject().Property("type", "ExternalRef").Property("externalRefType", type).Name("locator").BeginArray().String(url).EndArray()
                    .Property("comment", what).EndObject();
            }

            _json.EndArray();
        }

        /// <summary>Exactly one declared and one concluded licence per package. This tool concludes nothing itself.</summary>
        private void Licenses(string package, string? license, string? url)
        {
            string declared = NoAssertion;
            switch (license is null ? LicenseForm.NoAssertion : LicenseExpressions.Classify(license))
            {
                case LicenseForm.Expression:
                    declared = Id("license/" + (++_licenses).ToString(CultureInfo.InvariantCulture));
                    Begin("simplelicensing_LicenseExpression", declared, null);
                    _json.Property("simplelicensing_licenseExpression", license!.Trim()).EndObject();
                    break;
                case LicenseForm.Named:
                    declared = Id("license/" + (++_licenses).ToString(CultureInfo.InvariantCulture) + "/LicenseRef-" + Sanitize(license!));
                    Begin("expandedlicensing_CustomLicense", declared, license!.Trim());
                    _json.Property("simplelicensing_licenseText", ExportSet.IsWebUrl(url) ? $"{license!.Trim()}: the licence text is at {url}" : license!.Trim());
                    if (ExportSet.IsWebUrl(url))
                    {
                        _json.Name("expandedlicensing_seeAlso").BeginArray().String(url).EndArray();
                    }

                    _json.EndObject();
                    break;
            }

            Relationship(package, "hasDeclaredLicense", new List<string> { declared });
            Relationship(package, "hasConcludedLicense", new List<string> { NoAssertion });
        }

        private string Agent(string? name)
        {
            // An unknown or placeholder producer is SPDX's NOASSERTION, as an agent of that name.
            if (name is null || LicenseExpressions.Classify(name) == LicenseForm.NoAssertion)
            {
                name = "NOASSERTION";
            }

            if (!_agents.TryGetValue(name, out var id))
            {
                id = Id("agent/" + name);
                _agents[name] = id;
                Element("Organization", id, name);
            }

            return id;
        }

        private void Relationship(string from, string type, List<string> to)
        {
            if (to.Count == 0)
            {
                return;
            }

            string id = Id("relationship/" + (++_relationships).ToString(CultureInfo.InvariantCulture));
            Begin("Relationship", id, null);
            _json.Property("from", from).Property("relationshipType", type);
            Strings("to", to);
            _json.EndObject();
        }

        private void Hash(string sha256) =>
            _json.Name("verifiedUsing").BeginArray().BeginObject().Property("type", "Hash").Property("algorithm", "sha256").Property("hashValue", sha256).EndObject().EndArray();

        private void Element(string type, string id, string name)
        {
            Begin(type, id, name);
            _json.EndObject();
        }

        private void Begin(string type, string id, string? name)
        {
            _elements.Add(id);
            _json.BeginObject().Property("type", type).Property("spdxId", id).Property("creationInfo", "_:creationinfo");
            if (name is not null)
            {
                _json.Property("name", name);
            }
        }

        private void Strings(string name, IEnumerable<string> values)
        {
            _json.Name(name).BeginArray();
            foreach (var value in values)
            {
                _json.String(value);
            }

            _json.EndArray();
        }

        private static string Id(string local) => Namespace + Escape(local);

        private static string Escape(string local) => Uri.EscapeDataString(local).Replace("%2F", "/");

        private static string Sanitize(string text) => new string(text.Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' ? c : '-').ToArray()).Trim('-');

        private static readonly string[] DatasetTypes =
        {
            "audio", "categorical", "graph", "image", "noAssertion", "numeric", "other", "sensor", "structured", "syntactic", "text", "timeseries", "timestamp", "video",
        };
    }
}
