# Summarises build/bench/analyzers.sh replays: medians per configuration and concurrency mode.
# Usage: awk -v dir=artifacts/bench/<name> -f build/bench/summarize.awk artifacts/bench/<name>/times.txt
# Input lines (GNU time): "<cfg> <mode> <round> wall=.. user=.. sys=.. rss_kb=.."; per run, <cfg>.<mode>.<round>.out
# holds the /reportanalyzer table and busy.txt the machine-wide busy CPU ticks during the run.
# "other" = machine busy CPU during the run minus the run's own user+sys: CPU seconds used by other processes.
function val(s,   i) { i = index(s, "="); return substr(s, i + 1) + 0 }
function median(list,   n, a, i, j, t) {
  n = split(list, a, " ")
  if (n == 0) return "-"
  for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
  return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function selftime(file, cfg,   line, t, total, found) {
  # Seconds of the analyzer assembly the configuration adds ("<0.001" counts as 0.0005).
  total = 0; found = 0
  while ((getline line < file) > 0) {
    if (line ~ /^ *<?[0-9.]+ +<?[0-9]+   [^ ]/ && \
        ((cfg ~ /^ota/ && line ~ /OpenTrainAnalyzers, Version/) || \
         (cfg ~ /^banned/ && line ~ /BannedApiAnalyzers, Version/) || \
         (cfg ~ /^noop/ && line ~ /NoopInvocationAnalyzer, Version/))) {
      split(line, f, " "); t = f[1]; if (t ~ /^</) t = 0.0005; total += t; found = 1
    }
    if (line ~ /Total analyzer execution time/) { split(line, g, ": "); tot[file] = g[2] + 0 }
  }
  close(file)
  return found ? total : (cfg == "base" ? "-" : 0)
}
BEGIN {
  while ((getline line < (dir "/busy.txt")) > 0) { split(line, b, " "); busy[b[1] " " b[2] " " b[3]] = val(b[4]) / val(b[5]) }
}
{
  cfg = $1; mode = $2; round = $3; key = cfg " " mode
  wall = val($4); cpu = val($5) + val($6); rss = val($7)
  st = selftime(dir "/" cfg "." mode "." round ".out", cfg)
  other = (($1 " " $2 " " $3) in busy) ? busy[$1 " " $2 " " $3] - cpu : 0
  if (!(key in seen)) { seen[key] = 1; order[++n] = key }
  W[key] = W[key] " " wall; C[key] = C[key] " " cpu; S[key] = S[key] " " st; O[key] = O[key] " " other
  R[key] = R[key] " " rss; T[key] = T[key] " " tot[dir "/" cfg "." mode "." round ".out"]; N[key]++
  if (other > 0.25 * wall) noisy[key] = noisy[key] " " round
}
END {
  printf "| config | mode | runs | csc wall s (median) | csc user+sys s | added analyzer self-time s | all analyzers s | other CPU s (noise) | peak RSS MB | noisy rounds |\n"
  printf "|---|---|---|---|---|---|---|---|---|---|\n"
  for (i = 1; i <= n; i++) {
    k = order[i]; split(k, p, " ")
    printf "| %s | %s | %d | %.2f | %.2f | %s | %.3f | %.2f | %.0f | %s |\n", p[1], p[2], N[k], median(W[k]), median(C[k]), \
      (p[1] == "base" ? "-" : sprintf("%.4f", median(S[k]))), median(T[k]), median(O[k]), median(R[k]) / 1024, (k in noisy) ? noisy[k] : "-"
    mw[k] = median(W[k]); ms[k] = median(S[k]); mc[k] = median(C[k])
  }
  printf "\nRatios (medians):\n"
  for (m = 1; m <= 2; m++) {
    mode = (m == 1) ? "parallel" : "sequential"
    if (("ota " mode) in mw && ("banned " mode) in mw && ms["banned " mode] > 0)
      printf "- %s: self-time ota / banned = %.3f; csc wall ota / banned = %.3f; csc CPU ota / banned = %.3f\n", mode, ms["ota " mode] / ms["banned " mode], mw["ota " mode] / mw["banned " mode], mc["ota " mode] / mc["banned " mode]
    if (("ota-empty " mode) in mw && ("noop-op " mode) in mw)
      printf "- %s: self-time ota-empty = %.4f s vs noop-op floor = %.4f s; csc wall ota-empty / noop-op = %.3f; ota-empty / base = %.3f\n", mode, ms["ota-empty " mode], ms["noop-op " mode], mw["ota-empty " mode] / mw["noop-op " mode], mw["ota-empty " mode] / mw["base " mode]
  }
}
