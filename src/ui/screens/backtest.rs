//! Paints the detail's Backtest tab as `app::screens::backtest` prepared it: the run picked,
//! a braille chart (the value compared, the metric, the threshold or band, firings as blocks and
//! held-back ones as dots), and the verdict in words.

use crate::app::chart::Chart;
use crate::app::screens::detail::BacktestView;
use crate::app::text::spinner;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart as Plot, Dataset, GraphType, Paragraph, Wrap};

/// Paints the view into `area` (inside the detail's box).
pub(crate) fn draw(
    view: &BacktestView,
    frame_no: usize,
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let words = view.lines.len() as u16 + u16::from(view.waiting.is_some());
    let [head, body, foot] = Layout::vertical([
        Constraint::Length(view.header.len() as u16),
        Constraint::Fill(1),
        Constraint::Length(if view.chart.is_some() {
            words.min(area.height / 3 + 1)
        } else {
            0
        }),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(crate::ui::lines(&view.header, theme)), head);
    let mut text = Vec::new();
    if let Some(w) = &view.waiting {
        text.push(Line::from(Span::styled(
            format!("{} {w}", spinner(frame_no)),
            theme.warn(),
        )));
    }
    match &view.chart {
        Some(chart) => {
            plot(chart, theme, frame, body);
            frame.render_widget(
                Paragraph::new(crate::ui::lines(&view.lines, theme)).wrap(Wrap { trim: false }),
                foot,
            );
        }
        None => {
            text.extend(crate::ui::lines(&view.lines, theme));
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), body);
        }
    }
}

/// A run's chart (also the wizard's small one).
pub(crate) fn plot<'a>(c: &'a Chart, theme: Theme, frame: &mut Frame, area: Rect) {
    let mut sets = Vec::new();
    if !c.shaded.is_empty() {
        sets.push(
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Bar)
                .style(theme.dim())
                .data(&c.shaded),
        );
    }
    for level in &c.levels {
        sets.push(
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(theme.warn())
                .data(level),
        );
    }
    if !c.focus.is_empty() {
        sets.push(
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(theme.key())
                .data(&c.focus),
        );
    }
    if !c.logged.is_empty() {
        sets.push(
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(theme.dim())
                .data(&c.logged),
        );
    }
    sets.push(
        Dataset::default()
            .name(c.compared_name.clone())
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(theme.title())
            .data(&c.compared),
    );
    sets.push(
        Dataset::default()
            .marker(Marker::Dot)
            .graph_type(GraphType::Scatter)
            .style(theme.warn())
            .data(&c.held),
    );
    sets.push(
        Dataset::default()
            .marker(Marker::Bar)
            .graph_type(GraphType::Scatter)
            .style(theme.on())
            .data(&c.recorded),
    );
    sets.push(
        Dataset::default()
            .marker(Marker::Block)
            .graph_type(GraphType::Scatter)
            .style(theme.error())
            .data(&c.fired),
    );
    let labels = |l: &'a [String]| {
        l.iter()
            .map(|s| Span::styled(s.as_str(), theme.dim()))
            .collect::<Vec<_>>()
    };
    let chart = Plot::new(sets)
        .x_axis(
            Axis::default()
                .bounds(c.x)
                .labels(labels(&c.x_labels))
                .style(theme.dim()),
        )
        .y_axis(
            Axis::default()
                .bounds(c.y)
                .labels(labels(&c.y_labels))
                .style(theme.dim()),
        )
        .legend_position(None);
    frame.render_widget(chart, area);
}
