//! Index generations: an ingest never changes the index that readers have open.
//!
//! The index folder holds `generations/<n>/` (each a whole index: `documents.sqlite` and
//! `tantivy/`) and a file `CURRENT` naming the live one. An ingest copies the live generation
//! into a new folder ([`NextGeneration::begin`]: SQLite by `VACUUM INTO`, tantivy's immutable
//! segment files hard-linked), ingests there, and [`NextGeneration::commit`] switches
//! `CURRENT` with one atomic rename. Readers ([`crate::Index::open`]) open the live
//! generation read-only; a server notices the new name in `CURRENT` and opens it beside the
//! old one, so a question is answered wholly from one generation or the other. The previous
//! generation is kept (a node may still be reading it); older ones are removed.
//!
//! An index folder from before generations (`documents.sqlite` directly inside) is read as it
//! is; the first ingest copies it into generation 1 and removes the old files.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::IndexError;

/// The file naming the live generation.
pub const CURRENT_FILE: &str = "CURRENT";
const GENERATIONS_DIR: &str = "generations";
/// Held (with an exclusive file lock) while an ingest builds a generation.
const LOCK_FILE: &str = "ingest.lock";
/// The files of an index from before generations.
const FLAT_FILES: [&str; 4] = [
    "documents.sqlite",
    "documents.sqlite-wal",
    "documents.sqlite-shm",
    "tantivy",
];

/// The name of the live generation of the index at `root`, when it has generations.
pub fn live_generation(root: &Path) -> Option<String> {
    let name = fs::read_to_string(root.join(CURRENT_FILE)).ok()?;
    let name = name.trim();
    valid_name(name).then(|| name.to_owned())
}

/// The folder readers open: the live generation, or `root` itself for an index without
/// generations.
pub fn live_dir(root: &Path) -> PathBuf {
    match live_generation(root) {
        Some(name) => root.join(GENERATIONS_DIR).join(name),
        None => root.to_owned(),
    }
}

/// The index folder a generation folder belongs to (`dir` itself when it is none).
pub fn root_of(dir: &Path) -> PathBuf {
    match dir.parent() {
        Some(parent) if parent.file_name().is_some_and(|n| n == GENERATIONS_DIR) => parent
            .parent()
            .map_or_else(|| dir.to_owned(), Path::to_owned),
        _ => dir.to_owned(),
    }
}

/// Generation names are decimal numbers: nothing else in `CURRENT` is followed.
fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 20 && name.bytes().all(|b| b.is_ascii_digit())
}

/// A generation being built; removed again unless committed.
pub struct NextGeneration {
    root: PathBuf,
    name: String,
    dir: PathBuf,
    committed: bool,
    /// The ingest lock, released when this is dropped.
    _lock: File,
}

impl NextGeneration {
    /// Starts a new generation as a copy of the live one (or of an index without generations;
    /// empty when there is none). Fails with [`IndexError::Locked`] while another ingest runs.
    pub fn begin(root: &Path) -> Result<NextGeneration, IndexError> {
        let io = |dir: &Path| {
            let dir = dir.to_owned();
            move |source| IndexError::CreateDir { dir, source }
        };
        let generations = root.join(GENERATIONS_DIR);
        fs::create_dir_all(&generations).map_err(io(&generations))?;
        let lock = File::create(root.join(LOCK_FILE)).map_err(io(root))?;
        lock.try_lock().map_err(|_| {
            IndexError::Locked(format!(
                "{} is held by another ingest",
                root.join(LOCK_FILE).display()
            ))
        })?;
        let number = fs::read_dir(&generations)
            .map_err(io(&generations))?
            .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u64>().ok())
            .max()
            .unwrap_or(0)
            + 1;
        let name = number.to_string();
        let dir = generations.join(&name);
        let next = NextGeneration {
            root: root.to_owned(),
            name,
            dir: dir.clone(),
            committed: false,
            _lock: lock,
        };
        fs::create_dir_all(dir.join("tantivy")).map_err(io(&dir))?;
        let live = live_dir(root);
        if live.join("documents.sqlite").is_file() {
            copy_generation(&live, &dir)?;
        }
        Ok(next)
    }

    /// Where the new generation is built.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Makes the new generation the live one (every [`crate::Index`] on it must be dropped
    /// first), keeps the one before it for readers still on it, and removes older ones.
    pub fn commit(mut self) -> Result<String, IndexError> {
        // Readers open the generation read-only: leave it in rollback-journal mode, with
        // nothing in a write-ahead log.
        let db = Connection::open(self.dir.join("documents.sqlite"))?;
        db.pragma_update(None, "journal_mode", "DELETE")?;
        drop(db);
        sync_dir(&self.dir);
        sync_dir(&self.dir.join("tantivy"));
        let previous = live_generation(&self.root);
        let partial = self.root.join(format!("{CURRENT_FILE}.partial"));
        let write = || -> std::io::Result<()> {
            let mut file = File::create(&partial)?;
            file.write_all(format!("{}\n", self.name).as_bytes())?;
            file.sync_all()?;
            fs::rename(&partial, self.root.join(CURRENT_FILE))
        };
        write().map_err(|source| IndexError::CreateDir {
            dir: self.root.clone(),
            source,
        })?;
        sync_dir(&self.root);
        self.committed = true;
        // What no reader needs any more: generations before the previous one, and the files
        // of an index from before generations.
        let keep = [Some(self.name.clone()), previous];
        if let Ok(entries) = fs::read_dir(self.root.join(GENERATIONS_DIR)) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if !keep.iter().flatten().any(|k| *k == name) {
                    let _ = fs::remove_dir_all(entry.path());
                }
            }
        }
        for flat in FLAT_FILES {
            let path = self.root.join(flat);
            let _ = if path.is_dir() {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
        }
        Ok(self.name.clone())
    }
}

impl Drop for NextGeneration {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Copies the index in `from` into the empty generation folder `to`.
fn copy_generation(from: &Path, to: &Path) -> Result<(), IndexError> {
    let source = Connection::open_with_flags(
        from.join("documents.sqlite"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    source.busy_timeout(std::time::Duration::from_secs(10))?;
    let target = to.join("documents.sqlite");
    source.execute(
        "VACUUM INTO ?1",
        [target.to_str().ok_or_else(|| {
            IndexError::Corrupt(format!("{} is not a UTF-8 path", target.display()))
        })?],
    )?;
    link_or_copy_files(&from.join("tantivy"), &to.join("tantivy"))?;
    // The vector graph's files are replaced whole, never changed in place ([`crate::ann`]):
    // shared too.
    let from_graph = from.join(crate::ann::DIR);
    if from_graph.is_dir() {
        let to_graph = to.join(crate::ann::DIR);
        fs::create_dir_all(&to_graph).map_err(|source| IndexError::CreateDir {
            dir: to_graph.clone(),
            source,
        })?;
        link_or_copy_files(&from_graph, &to_graph)?;
    }
    Ok(())
}

/// Hard-links (or, across file systems, copies) the files of `from` into `to`; metadata files
/// (`.json`, rewritten by tantivy's next commit) and locks are copied or left out.
fn link_or_copy_files(from: &Path, to: &Path) -> Result<(), IndexError> {
    let io = |source| IndexError::CreateDir {
        dir: to.to_owned(),
        source,
    };
    for entry in fs::read_dir(from).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name();
        let name_text = name.to_string_lossy();
        if name_text.ends_with(".lock") || !entry.file_type().map_err(io)?.is_file() {
            continue;
        }
        let target = to.join(&name);
        // Files that never change once written are shared; tantivy's metadata files are
        // rewritten by its next commit, so they are copied.
        let shared = !name_text.ends_with(".json") && fs::hard_link(entry.path(), &target).is_ok();
        if !shared {
            fs::copy(entry.path(), &target).map_err(io)?;
        }
    }
    Ok(())
}

fn sync_dir(dir: &Path) {
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::Index;

    fn document(key: &str, text: &str) -> corpus::Document {
        corpus::Document {
            id: key.into(),
            title: key.into(),
            text: text.into(),
            url: None,
            license: None,
            date: None,
            language: None,
        }
    }

    /// Ingests one document into a new generation of `root` and commits it.
    fn ingest_generation(root: &Path, key: &str) -> String {
        let next = NextGeneration::begin(root).unwrap();
        let index = Index::create_or_open(next.dir()).unwrap();
        index
            .ingest(
                [document(
                    key,
                    &format!("{key} happens because of {key} causes."),
                )],
                &mut |_| {},
            )
            .unwrap();
        drop(index);
        next.commit().unwrap()
    }

    #[test]
    fn readers_see_a_generation_whole_and_switch_on_commit() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path();
        // An index from before generations, written in place.
        let flat = Index::create_or_open(root).unwrap();
        flat.ingest([document("flat", "Flat things are flat.")], &mut |_| {})
            .unwrap();
        drop(flat);
        assert_eq!(ingest_generation(root, "one"), "1");
        assert!(
            !root.join("documents.sqlite").exists(),
            "the old layout is gone"
        );
        let first = Index::open(root).unwrap();
        assert_eq!(first.generation().as_deref(), Some("1"));
        assert_eq!(first.root(), root);
        assert_eq!(
            first.document_count().unwrap(),
            2,
            "the old documents came along"
        );

        // An ingest under way is invisible; its commit is not seen by an index already open.
        let next = NextGeneration::begin(root).unwrap();
        let building = Index::create_or_open(next.dir()).unwrap();
        building
            .ingest(
                [document("two", "Two happens because of two.")],
                &mut |_| {},
            )
            .unwrap();
        drop(building);
        assert_eq!(Index::open(root).unwrap().document_count().unwrap(), 2);
        assert_eq!(next.commit().unwrap(), "2");
        assert_eq!(first.document_count().unwrap(), 2);
        let two = [crate::WeightedTerm {
            stem: "two".into(),
            weight: 1.0,
        }];
        assert!(first.search(&two, 5).unwrap().is_empty());
        assert!(first.document_by_key("two").unwrap().is_none());
        let second = Index::open(root).unwrap();
        assert_eq!(second.document_count().unwrap(), 3);
        assert_eq!(second.search(&two, 5).unwrap().len(), 1);

        // The generation before the live one stays; older ones go.
        assert_eq!(ingest_generation(root, "three"), "3");
        let names: Vec<String> = fs::read_dir(root.join(GENERATIONS_DIR))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let mut names = names;
        names.sort();
        assert_eq!(names, ["2", "3"]);
        assert_eq!(Index::open(root).unwrap().document_count().unwrap(), 4);
    }

    #[test]
    fn current_names_only_numbers() {
        let root = tempfile::tempdir().unwrap();
        assert_eq!(live_dir(root.path()), root.path());
        fs::write(root.path().join(CURRENT_FILE), "../../etc\n").unwrap();
        assert_eq!(live_generation(root.path()), None);
        fs::write(root.path().join(CURRENT_FILE), "12\n").unwrap();
        assert_eq!(live_generation(root.path()).as_deref(), Some("12"));
        assert_eq!(
            live_dir(root.path()),
            root.path().join("generations").join("12")
        );
    }

    #[test]
    fn an_uncommitted_generation_is_removed_and_a_second_ingest_is_refused() {
        let root = tempfile::tempdir().unwrap();
        let next = NextGeneration::begin(root.path()).unwrap();
        let dir = next.dir().to_owned();
        assert!(dir.is_dir());
        assert!(matches!(
            NextGeneration::begin(root.path()),
            Err(IndexError::Locked(_))
        ));
        drop(next);
        assert!(!dir.exists());
        assert_eq!(live_generation(root.path()), None);
        // The lock went with it.
        drop(NextGeneration::begin(root.path()).unwrap());
    }
}
