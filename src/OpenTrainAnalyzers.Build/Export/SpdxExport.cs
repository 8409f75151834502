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
/// dataset_DatasetPackage per dataset and for the training data aggregate, a software_Package per code, configuration
/// and document component of <see cref="ComponentMap"/> and per framework, the weight files with their hashes, and the
/// relationships between those real elements (contains, trainedOn, testedOn, usesTool, hasDocumentation, ancestorOf,
/// ...). Each parent is one element: the exported model itself when its manifest is in the build. Every package gets
/// exactly one declared and one concluded licence relationship. Mapping: docs/exports.md.
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
        private readonly Dictionary<string, string> _parents = new(StringComparer.Ordinal);
        private int _relationships;
        private int _licenses;
        private readonly string _time;

        public Writer(ExportSet set)
        {
            _set = set;

            // SPDX requires a creation time; with neither SOURCE_DATE_EPOCH nor a manifest 'created', the Unix epoch
            // stands for "not recorded" (docs/exports.md): never the clock.
            _time = ExportSet.Iso(set.Timestamp ?? new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc));

            // A parent whose manifest is one of this build's models is that model's package, never a second one.
            foreach (var model in set.Models)
            {
                if (ExportedModel.Identity(model.Document) is { } identity && !_parents.ContainsKey(identity))
                {
                    _parents[identity] = ModelId(model);
                }
            }
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
            string package = ModelId(model);
            _roots.Add(package);
            var producer = identity?.Producer.Node;
            string supplier = Agent(producer?.Name.AsString(), producer?.Url.AsString(), producer?.Email.AsString());

            Begin("ai_AIPackage", package, model.Name);
            if (identity?.Description.AsString() is { } description)
            {
                _json.Property("description", description);
            }

            _json.Property("software_packageVersion", model.Version ?? "NOASSERTION");
            _json.Property("software_downloadLocation", DownloadLocation(document) ?? "NOASSERTION");
            if (ExportSet.PackageUrl(identity?.Identifiers.Value) is { } purl)
            {
                _json.Property("software_packageUrl", purl);
            }

            _json.Property("suppliedBy", supplier);
            _json.Property("releaseTime", ReleaseTime(identity?.ReleaseDate.AsString()) ?? _time);
            _json.Property("software_primaryPurpose", "model");
            if (training?.Configuration.Node?.Architecture.Node?.Family.AsString() is { } family)
            {
                _json.Name("ai_typeOfModel").BeginArray().String(family).EndArray();
            }

            if (identity?.Task.AsString() is { } task)
            {
                _json.Name("ai_domain").BeginArray().String(task).EndArray();
            }

            Hyperparameters(training?.Configuration.Node?.Hyperparameters.Node);
            Metrics(training?.Evaluation.Node);
            Energy(document);
            if (training?.Processing.Node is { } processing)
            {
                var steps = new[] { processing.Method.AsString() }
                    .Concat(processing.Steps.Nodes.Select(s => string.Join("; ", new[] { s.Name.AsString(), s.Description.AsString(), s.Tool.AsString() is { } tool ? "tool " + tool : null }.Where(t => t is not null))))
                    .Where(t => !string.IsNullOrWhiteSpace(t)).ToList();
                if (steps.Count > 0)
                {
                    Strings("ai_modelDataPreprocessing", steps!);
                }
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
            var signed = model.Signature is { IsVerified: true, RootDigest: not null } signature ? signature : null;
            if (digested.Count == 1 || signed is not null)
            {
                _json.Name("verifiedUsing").BeginArray();
                if (digested.Count == 1)
                {
                    _json.BeginObject().Property("type", "Hash").Property("algorithm", "sha256").Property("hashValue", digested[0].DeclaredSha256!).EndObject();
                }

                if (signed is not null)
                {
                    // The OpenSSF model signature's subject: one digest over all signed files, and who vouched for it.
                    _json.BeginObject().Property("type", "Hash").Property("algorithm", "sha256").Property("hashValue", signed.RootDigest!)
                        .Property("comment", $"Root digest of the weight files (SHA-256 over their digests sorted by path), signed with an OpenSSF model signature ({signed.File}, {signed.Method} method) by {signed.Signer}; verified at build{(signed.LineageSigned ? "; the lineage manifest is signed too" : string.Empty)}.")
                        .EndObject();
                }

                _json.EndArray();
            }

            // Identifiers that are not URLs (doi, Hub revision) are external identifiers; URLs are web pages.
            var identifiers = ExportSet.Identifiers(identity?.Identifiers.Value);
            ExternalIdentifiers(OtherIdentifiers(identifiers));
            var references = WebPages(identifiers);
            references.AddRange(LicenseUrl(identity?.License.AsString(), identity?.LicenseUrl.AsString()));
            foreach (var attestation in document.Attestations.Nodes)
            {
                if (ExportSet.IsWebUrl(attestation.Location.Node?.Url.AsString()))
                {
                    references.Add(("secureSoftwareAttestation", attestation.Location.Node!.Url.AsString()!, attestation.Type.AsString() ?? "attestation"));
                }
            }

            ExternalRefs(references);
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

            // Each dataset once; the training data aggregate is a dataset package too, containing the listed ones.
            var trainedOn = new List<string>();
            var testedOn = new List<string>();
            foreach (var (dataset, isTraining) in datasets)
            {
                string id = Dataset(Fresh(DatasetId(model, ExportedModel.IdOf(dataset) ?? dataset.JsonPath)), dataset.Name.AsString() ?? ExportedModel.IdOf(dataset) ?? "dataset", dataset,
                    dataset.Sources.Nodes, dataset.Collection, dataset.Cleaning, dataset.Labeling.Node, ComponentMap.LocationsOf(dataset),
                    (dataset.Role.AsString() is { } role ? role + " " : string.Empty) + (isTraining ? "training data" : "evaluation data") + " of " + model.Name);
                (isTraining ? trainedOn : testedOn).Add(id);
            }

            // An evaluation entry that refers to a training dataset: the model was tested on it too.
            var trainingIds = new HashSet<string>((training?.Data.Node?.Datasets.Nodes ?? Array.Empty<Dataset>()).Select(d => d.Id.AsString()).Where(i => i is not null)!, StringComparer.Ordinal);
            foreach (var reference in training?.Evaluation.Node?.Datasets.Nodes.Where(d => d.Ref.Value is not null) ?? Enumerable.Empty<Dataset>())
            {
                if (trainingIds.Contains(reference.Ref.AsString()!))
                {
                    testedOn.Add(DatasetId(model, reference.Ref.AsString()!)); // an unknown reference is the gate's error, not a dangling relationship
                }
            }

            foreach (var component in ComponentMap.Of(document))
            {
                string id = Component(model, component);
                if (component.Node is TrainingData aggregate)
                {
                    var listed = trainedOn.ToList();
                    Relationship(id, "contains", listed);
                    if (listed.Count == 0 && aggregate.Availability.AsString() != "not-applicable")
                    {
                        trainedOn.Add(id);
                    }

                    continue;
                }

                if (component.Row.SpdxFromComponent)
                {
                    Relationship(id, component.Row.SpdxRelationship, new List<string> { package });
                }
                else
                {
                    Relationship(package, component.Row.SpdxRelationship, new List<string> { id });
                }
            }

            Relationship(package, "trainedOn", trainedOn);
            Relationship(package, "testedOn", testedOn.Distinct().ToList());

            var tools = new List<string>();
            foreach (var (library, framework) in ComponentMap.Libraries(document))
            {
                tools.Add(Library(model, library, framework));
            }

            Relationship(package, "usesTool", tools.Distinct().ToList());
            Ancestors(package, model.Parents);
            PolicyReview(package, model);
        }

        /// <summary>
        /// The licence policy's verdict over the model's chain (OpenTrainDeniedLicenses / AllowedLicenses), when the project
        /// set one: SPDX has no policy field, so it is a review annotation on the model, one line per denied licence.
        /// </summary>
        private void PolicyReview(string package, ExportedModel model)
        {
            var lines = Policy.LicensePolicyGate.ExportProperties(model.LicenseDecisions).ToList();
            if (lines.Count == 0)
            {
                return;
            }

            Begin("Annotation", Id("policy/" + model.RelativePath), null);
            _json.Property("annotationType", "review");
            _json.Property("subject", package);
            _json.Property("statement", "OpenTrainAnalyzers licence policy: " + string.Join("\n", lines.Select(l => l.Name == "opentrain:policy" ? l.Value : "denied " + l.Value)));
            _json.EndObject();
        }

        private static string ModelId(ExportedModel model) => Id("model/" + model.RelativePath);

        /// <summary>An id no element has yet: a training and an evaluation dataset may share a manifest id.</summary>
        private string Fresh(string id)
        {
            string candidate = id;
            for (int i = 2; _elements.Contains(candidate); i++)
            {
                candidate = id + "~" + i.ToString(CultureInfo.InvariantCulture);
            }

            return candidate;
        }

        private static string DatasetId(ExportedModel model, string key) => Id("dataset/" + model.RelativePath + "#" + key);

        private void Hyperparameters(Hyperparameters? hyperparameters)
        {
            var entries = new List<(string, string)>();
            if (hyperparameters?.Values.Value is { Kind: JsonValueKind.Object } values)
            {
                entries.AddRange(values.Properties.Select(p => (p.Name, ExportSet.Compact(p.Value))));
            }

            if (hyperparameters?.Seed.Value is { } seed && seed.Kind != JsonValueKind.Null)
            {
                entries.Add(("seed", ExportSet.Compact(seed)));
            }

            DictionaryEntries("ai_hyperparameter", entries);
        }

        private void Metrics(Evaluation? evaluation)
        {
            var entries = new List<(string, string)>();
            foreach (var metric in (evaluation?.Metrics.Nodes ?? Array.Empty<Metric>()).Where(m => m.Value.Value?.Kind == JsonValueKind.Number))
            {
                string key = metric.MetricName.AsString() ?? "metric";
                string on = string.Join("/", new[] { metric.Dataset.AsString(), metric.Split.AsString(), metric.Slice.AsString() }.Where(s => s is not null));
                key = on.Length == 0 ? key : key + " on " + on;
                if (metric.Task.AsString() is { } task)
                {
                    key += " (task " + task + ")";
                }

                entries.Add((key, metric.Value.Text!));
            }

            DictionaryEntries("ai_metric", entries);
        }

        /// <summary>The training energy in kWh: fine-tuning energy for a fine-tune or adapter, training energy otherwise.</summary>
        private void Energy(LineageDocument document)
        {
            if (document.Training.Node?.Code.Node?.Compute.Value is not { Kind: JsonValueKind.Object } compute
                || compute.Properties.FirstOrDefault(p => p.Name == "energyKwh")?.Value is not { Kind: JsonValueKind.Number } kwh)
            {
                return;
            }

            string phase = document.Lineage.Node?.Derivation.AsString() is "finetune" or "adapter" ? "ai_finetuningEnergyConsumption" : "ai_trainingEnergyConsumption";
            _json.Name("ai_energyConsumption").BeginObject().Property("type", "ai_EnergyConsumption").Name(phase).BeginArray()
                .BeginObject().Property("type", "ai_EnergyConsumptionDescription").Property("ai_energyQuantity", Decimal(kwh.Text!)).Property("ai_energyUnit", "kilowattHour").EndObject()
                .EndArray().EndObject();
        }

        /// <summary>
        /// ai_energyQuantity is an xsd:decimal: as a JSON number JSON-LD would read it as a double (SHACL rejects that), so
        /// it is the decimal's text, which the context types; no exponent, which xsd:decimal does not allow.
        /// </summary>
        private static string Decimal(string jsonNumber) =>
            decimal.TryParse(jsonNumber, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value.ToString(CultureInfo.InvariantCulture) : jsonNumber;

        private void DictionaryEntries(string name, List<(string Key, string Value)> entries)
        {
            if (entries.Count == 0)
            {
                return;
            }

            _json.Name(name).BeginArray();
            foreach (var (key, value) in entries)
            {
                _json.BeginObject().Property("type", "DictionaryEntry").Property("key", key).Property("value", value).EndObject();
            }

            _json.EndArray();
        }

        /// <summary>One manifest component of <see cref="ComponentMap"/> as a package that carries its licence and locations.</summary>
        private string Component(ExportedModel model, MappedComponent component)
        {
            string id = Id("component/" + model.RelativePath + "#" + component.Row.Key);
            string name = model.Name + " " + component.Row.Title;
            if (component.Node is TrainingData data)
            {
                return Dataset(id, name, data, data.Sources.Nodes, data.Collection, data.Cleaning, data.Labeling.Node, component.Locations.ToList(), "training data of " + model.Name + " (the aggregate)");
            }

            var node = component.Node;
            Begin("software_Package", id, name);
            if (node.Description.AsString() is { } description)
            {
                _json.Property("description", description);
            }

            _json.Property("software_downloadLocation", component.Locations.Select(l => l.Location.Url.AsString()).FirstOrDefault(ExportSet.IsWebUrl) ?? "NOASSERTION");
            _json.Property("software_primaryPurpose", component.Row.SpdxPurpose);
            if (Facts(node) is { Length: > 0 } comment)
            {
                _json.Property("comment", comment);
            }

            Locations(component.Locations, component.Row.SpdxReference, node.License.AsString(), node.LicenseUrl.AsString());
            _json.EndObject();
            Licenses(id, node.License.AsString(), node.LicenseUrl.AsString());
            return id;
        }

        /// <summary>What SPDX has no property for, as the element's comment: availability, justification, access conditions, component specifics.</summary>
        private static string Facts(Disclosure node)
        {
            var facts = new List<string?>
            {
                node.Availability.AsString() is { } availability ? "Availability: " + availability + "." : null,
                node.Justification.AsString() is { } justification ? "Justification: " + justification : null,
                node.AccessConditions.AsString() is { } access ? "Access conditions: " + access : null,
            };
            switch (node)
            {
                case Architecture architecture:
                    facts.Add(architecture.Name.AsString() is { } name ? "Architecture: " + name + "." : null);
                    facts.Add(architecture.ParameterCount.Value is { Kind: JsonValueKind.Number } count ? "Parameters: " + count.Text + "." : null);
                    break;
                case Hyperparameters hyperparameters:
                    facts.Add(hyperparameters.SelectionMethod.AsString() is { } selection ? "Selection: " + selection : null);
                    break;
                case TrainingCode code:
                    facts.Add(code.EntryPoint.AsString() is { } entry ? "Entry point: " + entry : null);
                    facts.AddRange(code.Stages.Nodes.Select(s => "Stage " + s.Name.AsString() + (s.Objective.AsString() is { } objective ? ": " + objective : string.Empty) + "."));
                    break;
                case Document card when card.CoversData.IsTrue:
                    facts.Add("Also documents the training data (coversData).");
                    break;
            }

            return string.Join(" ", facts.Where(f => f is not null));
        }

        /// <summary>A dataset, or training data described only as an aggregate.</summary>
        private string Dataset(string id, string name, Disclosure dataset, IReadOnlyList<Source> sources, ManifestField collection, ManifestField cleaning, Labeling? labeling,
            List<NamedLocation> locations, string intendedUse)
        {
            // Every source is an agent the data originated from (elements of their own, so written before this one opens).
            var origins = sources.Select(s => Agent(s.Name.AsString(), s.Url.AsString(), null)).Distinct().ToList();
            if (origins.Count == 0)
            {
                origins.Add(Agent(null, null, null));
            }

            var licensedSources = sources.Select((s, i) => (Source: s, Index: i)).Where(s => s.Source.License.AsString() is not null).ToList();
            var ds = dataset as Dataset;

            Begin("dataset_DatasetPackage", id, name);
            if (dataset.Description.AsString() is { } description)
            {
                _json.Property("description", description);
            }

            _json.Property("software_packageVersion", ds?.Version.AsString() ?? "NOASSERTION");
            _json.Property("software_downloadLocation", ExportSet.UrlLocations(dataset).FirstOrDefault()?.Url.AsString() ?? "NOASSERTION");
            _json.Property("builtTime", _time);
            Strings("originatedBy", origins);
            _json.Property("releaseTime", _time);
            _json.Property("software_primaryPurpose", "data");
            var types = (ds?.DatasetType.Items ?? Array.Empty<JsonValue>()).Select(t => t.AsString()).Where(t => t is not null && Array.IndexOf(DatasetTypes, t) >= 0).ToList();
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

            _json.Property("dataset_intendedUse", intendedUse);
            if (collection.AsString() is { } collected)
            {
                _json.Property("dataset_dataCollectionProcess", collected);
            }

            var preprocessing = new[] { cleaning.AsString(), ds?.Augmentation.AsString() is { } augmentation ? "Augmentation: " + augmentation : null }.Where(p => p is not null).ToList();
            if (preprocessing.Count > 0)
            {
                Strings("dataset_dataPreprocessing", preprocessing!);
            }

            if (ds?.KnownBiases.AsString() is { } biases)
            {
                _json.Name("dataset_knownBias").BeginArray().String(biases).EndArray();
            }

            if (ds?.Size.Node?.Bytes.Int64 is { } bytes && bytes >= 0)
            {
                _json.Property("dataset_datasetSize", bytes);
            }

            _json.Property("dataset_hasSensitivePersonalInformation", ds?.PersonalData.AsString() switch { "yes" => "yes", "no" => "no", _ => "noAssertion" });
            if (ds?.PersonalDataHandling.AsString() is { } handling)
            {
                _json.Name("dataset_anonymizationMethodUsed").BeginArray().String(handling).EndArray();
            }

            // SPDX 3.0.1 has no labelling field: the labelling goes with the availability facts into the comment.
            string labels = labeling?.Method.AsString() is { } method
                ? "Labelling: " + method + (labeling.Criteria.AsString() is { } criteria ? " — " + criteria : string.Empty)
                  + (labeling.Workforce.AsString() is { } workforce ? " Workforce: " + workforce : string.Empty)
                : string.Empty;
            string comment = (Facts(dataset) + " " + labels).Trim();
            if (comment.Length > 0)
            {
                _json.Property("comment", comment);
            }

            Locations(locations, "altDownloadLocation", dataset.License.AsString(), dataset.LicenseUrl.AsString());
            _json.EndObject();
            Licenses(id, dataset.License.AsString(), dataset.LicenseUrl.AsString());

            // A source under a licence of its own is a dataset package inside this one: an agent cannot carry a licence.
            var contained = new List<string>();
            foreach (var (source, index) in licensedSources)
            {
                string sourceId = Id(id.Substring(Namespace.Length) + "/source/" + index.ToString(CultureInfo.InvariantCulture));
                string origin = Agent(source.Name.AsString(), source.Url.AsString(), null);
                Begin("dataset_DatasetPackage", sourceId, source.Name.AsString() ?? "source");
                _json.Property("software_downloadLocation", ExportSet.IsWebUrl(source.Url.AsString()) ? source.Url.AsString() : "NOASSERTION");
                _json.Property("builtTime", _time);
                Strings("originatedBy", new[] { origin });
                _json.Property("software_primaryPurpose", "data");
                _json.Name("dataset_datasetType").BeginArray().String("noAssertion").EndArray();
                _json.Property("dataset_intendedUse", "source of " + name);
                _json.EndObject();
                Licenses(sourceId, source.License.AsString(), null);
                contained.Add(sourceId);
            }

            Relationship(id, "contains", contained);
            return id;
        }

        /// <summary>Locations as external references (URLs) and their revisions and digests as identifiers and hashes.</summary>
        private void Locations(IReadOnlyList<NamedLocation> locations, string type, string? license, string? licenseUrl)
        {
            var web = locations.Where(l => ExportSet.IsWebUrl(l.Location.Url.AsString())).ToList();
            var digest = web.Select(l => l.Location.Digest.Node?.Sha256.AsString()).FirstOrDefault(s => s is not null && Digests.IsSha256(s));
            if (digest is not null)
            {
                Hash(digest);
            }

            ExternalIdentifiers(web.Where(l => l.Location.Revision.AsString() is not null)
                .Select(l => (l.Location.Revision.AsString()!.StartsWith("pkg:", StringComparison.Ordinal) ? "packageUrl" : "other", l.Location.Revision.AsString()!, l.Location.Url.AsString(), "revision of the " + l.What)).ToList());
            var references = web.Select(l => (l.Documents ? "documentation" : type, l.Location.Url.AsString()!, l.Location.Description.AsString() is { } d ? l.What + ": " + d : l.What)).ToList();
            references.AddRange(LicenseUrl(license, licenseUrl));
            ExternalRefs(references);
        }

        private string Library(ExportedModel model, Library library, bool framework)
        {
            string name = library.Name.AsString() ?? "library";
            string id = Id("library/" + model.RelativePath + "#" + name + (library.Version.AsString() is { } v ? "@" + v : string.Empty));
            if (_elements.Contains(id))
            {
                return id;
            }

            Begin("software_Package", id, name);
            _json.Property("software_packageVersion", library.Version.AsString() ?? "NOASSERTION");
            _json.Property("software_downloadLocation", "NOASSERTION");
            if (library.Purl.AsString() is { } purl && purl.StartsWith("pkg:", StringComparison.Ordinal))
            {
                _json.Property("software_packageUrl", purl);
            }

            _json.Property("software_primaryPurpose", framework ? "framework" : "library");
            _json.Property("comment", framework ? "Training framework." : "Supporting library used in training.");
            _json.EndObject();
            Licenses(id, library.License.AsString(), null);
            return id;
        }

        /// <summary>
        /// Each parent once: the exported model itself when its manifest is one of this build's, else one AI package; the
        /// pinned manifest is a file element with its SHA-256, the parent's metadata.
        /// </summary>
        private void Ancestors(string child, IReadOnlyList<ResolvedParent> parents)
        {
            foreach (var parent in parents)
            {
                var parentDocument = parent.Manifest?.Document;
                string key = ExportedModel.Identity(parentDocument) ?? "pin:" + (parent.Entry.Manifest.Node?.Sha256.AsString() ?? child + "/" + parent.Entry.JsonPath);
                bool written = _parents.TryGetValue(key, out var id);
                if (!written)
                {
                    id = Id("parent/" + (parent.Entry.Manifest.Node?.Sha256.AsString() ?? parent.Entry.Name.AsString() ?? key));
                    _parents[key] = id;
                    string name = parent.Entry.Name.AsString() ?? parentDocument?.Model.Node?.Name.AsString() ?? "parent";
                    var producer = parentDocument?.Model.Node?.Producer.Node;
                    string supplier = Agent(producer?.Name.AsString(), producer?.Url.AsString(), producer?.Email.AsString());
                    Begin("ai_AIPackage", id!, name);
                    _json.Property("software_packageVersion", parent.Entry.Version.AsString() ?? parentDocument?.Model.Node?.Version.AsString() ?? "NOASSERTION");
                    _json.Property("software_downloadLocation", (parentDocument is null ? null : DownloadLocation(parentDocument)) ?? "NOASSERTION");
                    if (ExportSet.PackageUrl(parent.Entry.Identifiers.Value) is { } purl)
                    {
                        _json.Property("software_packageUrl", purl);
                    }

                    _json.Property("suppliedBy", supplier);
                    _json.Property("releaseTime", ReleaseTime(parentDocument?.Model.Node?.ReleaseDate.AsString()) ?? _time);
                    _json.Property("software_primaryPurpose", "model");
                    _json.Property("comment", $"Parent; effective openness level {parent.EffectiveLevel.ToName()}; manifest {(parent.Manifest is null ? "not verified" : "verified by SHA-256")}"
                        + (parent.Origin is { } origin ? "; manifest from lineage source " + origin : string.Empty)
                        + (parent.Entry.ClaimedLevel.AsString() is { } claimed ? "; claims " + claimed : string.Empty) + ".");
                    var files = (parentDocument?.Weights.Node?.Files.Nodes ?? Array.Empty<WeightFile>()).Where(f => f.DeclaredSha256 is { } sha && Digests.IsSha256(sha)).ToList();
                    if (files.Count == 1)
                    {
                        Hash(files[0].DeclaredSha256!);
                    }

                    var parentIdentifiers = ExportSet.Identifiers(parent.Entry.Identifiers.Value);
                    ExternalIdentifiers(OtherIdentifiers(parentIdentifiers));
                    ExternalRefs(WebPages(parentIdentifiers));
                    _json.EndObject();
                    Licenses(id!, parent.Entry.License.AsString() ?? parentDocument?.Model.Node?.License.AsString(), parentDocument?.Model.Node?.LicenseUrl.AsString());
                }

                // The pin the gate checked: the parent's manifest as a file with that SHA-256, metadata of the parent.
                // A parent found in a lineage source has no path in the child: the source names the manifest file.
                if (parent.Entry.Manifest.Node is { } pin && (pin.Path.AsString() ?? pin.Url.AsString() ?? parent.Origin) is { } where)
                {
                    string manifestId = Id("manifest/" + (pin.Sha256.AsString() ?? where));
                    if (!_elements.Contains(manifestId))
                    {
                        Begin("software_File", manifestId, where);
                        if (pin.Sha256.AsString() is { } sha && Digests.IsSha256(sha))
                        {
                            Hash(sha);
                        }

                        _json.Property("software_primaryPurpose", "manifest");
                        _json.Property("comment", "Training-lineage manifest of the parent" + (pin.AssertedBy.AsString() is { } by ? ", asserted by " + by : string.Empty) + ".");
                        if (ExportSet.IsWebUrl(pin.Url.AsString()))
                        {
                            ExternalRefs(new List<(string, string, string)> { ("productMetadata", pin.Url.AsString()!, "published lineage manifest") });
                        }

                        _json.EndObject();
                        Relationship(id!, "hasMetadata", new List<string> { manifestId });
                    }
                }

                if (parent.Entry.IsFrozenComponent)
                {
                    // A part trained elsewhere and used unchanged (a text encoder): the model contains it; it does not descend from it.
                    Relationship(child, "contains", new List<string> { id! }, "Relation: frozen-component (a pre-trained part used unchanged).");
                }
                else
                {
                    Relationship(id!, "ancestorOf", new List<string> { child }, parent.Entry.Relation.AsString() is { } relation ? "Relation: " + relation + "." : null);
                }
                if (!written)
                {
                    Ancestors(id!, parent.Parents);
                }
            }
        }

        private static string? ReleaseTime(string? date)
        {
            if (date is null || !DateTimeOffset.TryParse(date, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                return null;
            }

            return ExportSet.Iso(new DateTime(parsed.UtcDateTime.Ticks - (parsed.UtcDateTime.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc));
        }

        private string AboutTraining(ExportedModel model)
        {
            var document = model.Document;
            var training = document.Training.Node;
            var text = new StringBuilder();
            text.Append("Derivation: ").Append(document.Lineage.Node?.Derivation.AsString() ?? "not stated").Append(". ");
            foreach (var row in ComponentMap.Rows.Where(r => r.Kind != ContentKind.Document))
            {
                var component = row.Select(document);
                text.Append(char.ToUpperInvariant(row.Title[0])).Append(row.Title.Substring(1)).Append(": ").Append(component?.Availability.AsString() ?? "not disclosed");
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

            string? count = training?.Configuration.Node?.Architecture.Node?.ParameterCount.Value is { Kind: JsonValueKind.Number } a ? a.Text
                : document.Weights.Node?.ParameterCount.Value is { Kind: JsonValueKind.Number } w ? w.Text : null;
            if (count is not null)
            {
                text.Append("Parameters: ").Append(count).Append(". ");
            }

            var languages = (document.Model.Node?.Languages.Items ?? Array.Empty<JsonValue>()).Select(l => l.AsString()).Where(l => l is not null).ToList();
            if (languages.Count > 0)
            {
                text.Append("Languages: ").Append(string.Join(", ", languages)).Append(". ");
            }

            if (training?.Code.Node?.Compute.Value is { Kind: JsonValueKind.Object } compute)
            {
                text.Append("Compute: ").Append(string.Join(", ", compute.Properties.Select(p => p.Name + " " + ExportSet.Compact(p.Value)))).Append(". ");
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

        private static IEnumerable<(string, string, string)> LicenseUrl(string? license, string? url)
        {
            if (license is not null && ExportSet.IsWebUrl(url))
            {
                yield return ("license", url!, "licence text");
            }
        }

        private void ExternalRefs(List<(string Type, string Url, string What)> references)
        {
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

        /// <summary>Identifiers that are not URLs (Hub id and revision, purl, DOI): external identifiers.</summary>
        private static List<(string, string, string?, string)> OtherIdentifiers(List<(string Name, string Value)> identifiers) =>
            identifiers.Where(i => !ExportSet.IsWebUrl(i.Value)).Select(i => ("other", i.Value, (string?)null, "identifier " + i.Name)).ToList();

        /// <summary>Identifiers that are URLs: web pages.</summary>
        private static List<(string, string, string)> WebPages(List<(string Name, string Value)> identifiers) =>
            identifiers.Where(i => ExportSet.IsWebUrl(i.Value)).Select(i => ("altWebPage", i.Value, "identifier " + i.Name)).ToList();

        private void ExternalIdentifiers(List<(string Type, string Identifier, string? Locator, string What)> identifiers)
        {
            if (identifiers.Count == 0)
            {
                return;
            }

            _json.Name("externalIdentifier").BeginArray();
            foreach (var (type, identifier, locator, what) in identifiers)
            {
                _json.BeginObject().Property("type", "ExternalIdentifier").Property("externalIdentifierType", type).Property("identifier", identifier);
                if (locator is not null)
                {
                    _json.Name("identifierLocator").BeginArray().String(locator).EndArray();
                }

                _json.Property("comment", what).EndObject();
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

        private string Agent(string? name, string? url, string? email)
        {
            // An unknown or placeholder producer is SPDX's NOASSERTION, as an agent of that name.
            if (name is null || LicenseExpressions.Classify(name) == LicenseForm.NoAssertion)
            {
                name = "NOASSERTION";
                url = null;
                email = null;
            }

            // Two sources of one name at different addresses are two agents.
            string key = ExportSet.IsWebUrl(url) ? name + " <" + url + ">" : name;
            if (!_agents.TryGetValue(key, out var id))
            {
                id = Id("agent/" + key);
                _agents[key] = id;
                Begin("Organization", id, name);
                if (email is not null)
                {
                    ExternalIdentifiers(new List<(string, string, string?, string)> { ("email", email, null, "contact") });
                }

                if (ExportSet.IsWebUrl(url))
                {
                    ExternalRefs(new List<(string, string, string)> { ("altWebPage", url!, "web page") });
                }

                _json.EndObject();
            }

            return id;
        }

        private void Relationship(string from, string type, List<string> to, string? comment = null)
        {
            if (to.Count == 0)
            {
                return;
            }

            string id = Id("relationship/" + (++_relationships).ToString(CultureInfo.InvariantCulture));
            Begin("Relationship", id, null);
            if (comment is not null)
            {
                _json.Property("comment", comment);
            }

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
