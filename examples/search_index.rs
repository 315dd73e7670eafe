//! Times the search index alone and reports its size, raw and gzipped, as a reader would
//! download it: `cargo run --release --example search_index -- LIBRARY [RUNS]`.
//! (`bench/search.sh` runs it on the generated 1,000 and 10,000-post-mortem libraries.)

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use pmsite::library::Selection;

fn gzip(bytes: &[u8]) -> usize {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap().len()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(args.next().expect("usage: search_index LIBRARY [RUNS]"));
    let runs: usize = args
        .next()
        .map_or(5, |r| r.parse().expect("RUNS is a number"));
    let selection = Selection {
        drafts: false,
        include_restricted: false,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
        strict_links: false,
    };
    let loaded = pmsite::build::load(&root, None, selection).expect("the library loads");
    let mut times = Vec::new();
    let mut files = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        files = pmsite::search::index_files(&loaded.library, &loaded.config, None);
        times.push(start.elapsed().as_secs_f64());
    }
    // The first run is what `pmsite build` pays (an empty word cache); later ones are what
    // `serve` pays on a rebuild.
    let cold = times[0];
    times.sort_by(f64::total_cmp);
    println!(
        "{} incidents: index built in {cold:.3} s cold, {:.3} s warm (median of {runs})",
        loaded.library.incidents.len(),
        times[times.len() / 2],
    );
    let mut groups: Vec<(&str, usize, usize, usize, usize)> = Vec::new();
    for (kind, prefix) in [
        ("meta.json", "search/meta"),
        ("shards", "search/shards/"),
        ("result lines", "search/docs/"),
    ] {
        let sizes: Vec<(usize, usize)> = files
            .iter()
            .filter(|(p, _)| p.starts_with(prefix))
            .map(|(_, b)| (b.len(), gzip(b)))
            .collect();
        let max_gz = sizes.iter().map(|s| s.1).max().unwrap_or(0);
        groups.push((
            kind,
            sizes.len(),
            sizes.iter().map(|s| s.0).sum(),
            sizes.iter().map(|s| s.1).sum(),
            max_gz,
        ));
    }
    for (kind, n, raw, gz, max_gz) in &groups {
        println!(
            "  {kind:<13} {n:>5} files {:>9.1} KB raw {:>8.1} KB gzip (largest {:.1} KB gzip)",
            *raw as f64 / 1e3,
            *gz as f64 / 1e3,
            *max_gz as f64 / 1e3
        );
    }
    let total_raw: usize = groups.iter().map(|g| g.2).sum();
    let total_gz: usize = groups.iter().map(|g| g.3).sum();
    println!(
        "  whole index   {:>9.1} KB raw {:>8.1} KB gzip",
        total_raw as f64 / 1e3,
        total_gz as f64 / 1e3
    );
}
