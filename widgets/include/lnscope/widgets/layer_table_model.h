#pragma once
// LayerTableModel: one row per converted layer of a core::ConversionReport (its `layers`, in
// folded-graph order), one column per figure the report holds for it:
//
//   node · op · weight shape · parameters (weight elements) · K · bits/weight ·
//   stored bytes per storage stage (report.budgets: float32, BNF, CC, the weight format) ·
//   layer-output SQNR per compared stage (report.stages: BNF, CC, the format, "+act" when present) ·
//   cosine at the last compared stage · sensitivity (only when the report has a sweep)
//
// The model formats and never computes: every number is read from the report. DisplayRole is the
// formatted text ("exact" for an infinite SQNR, "–" when the figure is missing or undefined),
// SortRole the raw number (an invalid QVariant when missing), ToolTipRole on the header explains
// the column (with units). The first diverging layer of the last compared stage (report
// .stages.back().firstDiverging) is flagged by DivergingRole and drawn with a highlight
// background and a bold font.
//
// Sorting: put a QSortFilterProxyModel with setSortRole(LayerTableModel::SortRole) in front. A
// plain proxy sorts missing values last in ascending order only; LayerSortProxyModel keeps them
// last in both orders. Sorting by the node column restores graph order.
//
// Threading: GUI thread (a Qt item model). setReport() takes a copy of the plain value.

#include "lnscope/core/conversion_report.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <QString>

#include <vector>

namespace lnscope::widgets {

class LayerTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Role {
        SortRole = Qt::UserRole,  ///< raw number (or graph order / text); invalid when missing
        DivergingRole,            ///< bool: this row is the first diverging layer of the last stage
    };

    /// What a column shows; `index` is the budget (Bytes) or stage (Sqnr) it reads.
    enum class ColumnKind { Node, Op, Shape, Parameters, Clusters, BitsPerWeight, Bytes, Sqnr, Cosine, Sensitivity };
    struct Column
    {
        ColumnKind kind = ColumnKind::Node;
        int index = -1;
        QString header;
        QString toolTip;
    };

    explicit LayerTableModel(QObject* parent = nullptr);

    /// Replaces the report (a model reset).
    void setReport(const core::ConversionReport& report);
    const core::ConversionReport& report() const { return m_report; }

    /// Node name of a row ("" when out of range) and the row of a node (-1 when absent).
    QString nodeAt(int row) const;
    int rowOf(const QString& node) const;
    /// Row of the first diverging layer of the last compared stage, or -1.
    int divergingRow() const { return m_divergingRow; }
    /// The columns of the current report (they depend on its stages and on the sensitivity sweep).
    const std::vector<Column>& columns() const { return m_columns; }
    /// The first column of `kind` (and, when index ≥ 0, of that budget/stage index), or -1.
    int columnOf(ColumnKind kind, int index = -1) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// The text of an SQNR in dB: one decimal, "exact" for +∞, "–" for NaN (undefined).
    static QString formatSqnr(double db);

private:
    QVariant display(const core::LayerReport& layer, const Column& column) const;
    QVariant sortValue(int row, const core::LayerReport& layer, const Column& column) const;
    QVariant cellToolTip(int row, const core::LayerReport& layer, const Column& column) const;
    void buildColumns();
    int findDivergingRow() const;

    core::ConversionReport m_report;
    std::vector<Column> m_columns;
    int m_divergingRow = -1;
};

/// A sort proxy for LayerTableModel: sorts by SortRole, missing values last in both orders.
class LayerSortProxyModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit LayerSortProxyModel(QObject* parent = nullptr);

protected:
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;
};

} // namespace lnscope::widgets
