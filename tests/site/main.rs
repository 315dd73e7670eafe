//! Integration tests: real libraries built from real Markdown in temp dirs; assertions on the
//! written HTML and `incidents.json`. One binary, a module per feature.

mod harness;
mod incremental;

mod hostile;

mod actions;
mod bad_input;
mod browser;
mod cli;
mod crashes;
mod digest;
mod drafts;
mod example;
mod feeds;
mod files;
mod json;
mod learning;
mod links;
mod markdown;
mod output;
mod pages;
mod progress;
mod publishing;
mod real_forms;
mod record;
mod routes;
mod search;
mod search_parts;
mod serve;
mod severity;
mod similar;
mod taxonomy;
mod tickets;
mod timeline;
mod tracking;
mod webdriver;
mod wiki;
mod wiki_out;
