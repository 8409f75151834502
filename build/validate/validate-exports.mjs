// Independent validation of OpenTrainAnalyzers' exports, run by the test suite (ExportValidatorTests):
//   CycloneDX: the official @cyclonedx/cyclonedx-library JSON strict validator (CycloneDX 1.6).
//   SPDX 3.0.1: SHACL validation with rdf-validate-shacl against the official spdx-model.ttl, the document expanded
//   with jsonld using the local spdx-context.jsonld (no network).
// The SPDX model declares its classes only as owl:Class, so a SHACL engine targets nothing and everything falsely
// conforms: every owl:Class is also typed rdfs:Class, and the ontology is merged into the data graph so that
// instances of subclasses are targeted too. Exit code 0 when every file conforms, 1 otherwise, 2 on usage errors.
//
// Usage: node validate-exports.mjs --schemas <shared/reference/schemas> [--cdx file]... [--spdx file]...
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import jsonld from 'jsonld'
import N3 from 'n3'
import rdf from '@zazuko/env-node'
import SHACLValidator from 'rdf-validate-shacl'

const require = createRequire(import.meta.url)
const cdx = require('@cyclonedx/cyclonedx-library')

const args = process.argv.slice(2)
const files = { cdx: [], spdx: [] }
let schemas = null
// --without-class-typing shows the trap: without it the same broken document "conforms".
const withoutTyping = args.includes('--without-class-typing')
if (withoutTyping) args.splice(args.indexOf('--without-class-typing'), 1)
for (let i = 0; i < args.length; i += 2) {
  const [flag, value] = [args[i], args[i + 1]]
  if (value === undefined) { console.error('missing value after ' + flag); process.exit(2) }
  if (flag === '--schemas') schemas = value
  else if (flag === '--cdx') files.cdx.push(value)
  else if (flag === '--spdx') files.spdx.push(value)
  else { console.error('unknown argument ' + flag); process.exit(2) }
}

let failed = 0

for (const file of files.cdx) {
  const validator = new cdx.Validation.JsonStrictValidator(cdx.Spec.Version.v1dot6)
  const errors = await validator.validate(readFileSync(file, 'utf8'))
  if (errors === null) {
    console.log(`cyclonedx ok: ${file}`)
  } else {
    failed++
    console.log(`cyclonedx INVALID: ${file}\n${JSON.stringify(errors, null, 2).slice(0, 4000)}`)
  }
}

if (files.spdx.length > 0) {
  if (!schemas) { console.error('--schemas is required for SPDX'); process.exit(2) }
  const contextUrl = 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld'
  const context = JSON.parse(readFileSync(join(schemas, 'spdx-3.0.1', 'spdx-context.jsonld'), 'utf8'))
  const documentLoader = async (url) => {
    if (url === contextUrl) return { contextUrl: null, documentUrl: url, document: context }
    throw new Error('refusing to fetch ' + url + ' (validation is offline)')
  }

  const model = new N3.Parser().parse(readFileSync(join(schemas, 'spdx-3.0.1', 'spdx-model.ttl'), 'utf8'))
  const { namedNode, quad } = N3.DataFactory
  const rdfType = namedNode('http://www.w3.org/1999/02/22-rdf-syntax-ns#type')
  const owlClass = namedNode('http://www.w3.org/2002/07/owl#Class')
  const rdfsClass = namedNode('http://www.w3.org/2000/01/rdf-schema#Class')
  const typing = withoutTyping ? [] : model.filter(q => q.predicate.equals(rdfType) && q.object.equals(owlClass)).map(q => quad(q.subject, rdfType, rdfsClass))
  if (typing.length === 0 && !withoutTyping) { console.error('spdx-model.ttl declares no owl:Class: nothing would be targeted'); process.exit(2) }
  const shapes = rdf.dataset([...model, ...typing])

  for (const file of files.spdx) {
    const document = JSON.parse(readFileSync(file, 'utf8'))
    const nquads = await jsonld.toRDF(document, { format: 'application/n-quads', documentLoader })
    const data = rdf.dataset([...new N3.Parser({ format: 'N-Quads' }).parse(nquads), ...(withoutTyping ? [] : [...model, ...typing])])
    const report = await new SHACLValidator(shapes, { factory: rdf }).validate(data)
    // Count the nodes of the document that the shapes reached, so "conforms" cannot mean "checked nothing".
    const subjects = new Set(new N3.Parser({ format: 'N-Quads' }).parse(nquads).map(q => q.subject.value))
    if (report.conforms) {
      console.log(`spdx ok: ${file} (${subjects.size} nodes)`)
    } else {
      failed++
      console.log(`spdx INVALID: ${file}`)
      for (const result of report.results.slice(0, 20)) {
        console.log(`  ${result.focusNode?.value} ${result.path?.value ?? ''}: ${result.message.map(m => m.value).join('; ')}`)
      }
    }
  }
}

process.exit(failed === 0 ? 0 : 1)
