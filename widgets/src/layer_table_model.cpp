// The per-layer table over a ConversionReport; see layer_table_model.h.

#include "lnscope/widgets/layer_table_model.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QLocale>

#include <cmath>

namespace lnscope::widgets {

namespace {

using core::Agreement;
using core::LayerReport;
using core::Stage;
using core::StageAgreement;

const QString kMissing = QStringLiteral("–");

/// Light amber: readable behind black text, distinct from the selection colour.
const QColor kDivergingBackground(255, 221, 170);

/// Numbers are grouped the same way on every machine ("12,345").
QString grouped(int64_t value)
{
    return QLocale(QLocale::English, QLocale::UnitedStates).toString(qlonglong(value));
}

QString shapeText(const core::Shape& shape)
{
    if (shape.empty())
        return kMissing;
    QStringList dims;
    for (int64_t d : shape)
        dims << QString::number(d);
    return dims.join(QStringLiteral("×"));
}

QString storageStageDescription(Stage stage, const std::string& format, int bits)
{
    switch (stage) {
    case Stage::Float32: return QStringLiteral("as imported: float32 weights and biases, batch-norm parameters stored");
    case Stage::BatchNormFolded: return QStringLiteral("batch norms folded into float32 weights and biases");
    case Stage::ClusterCompressed:
        return QStringLiteral("cluster compressed: kernel indices, per-kernel scales and a float32 centroid LUT; "
                              "uncompressed layers in float32");
    case Stage::Lns8:
        return QStringLiteral("in the weight format %1: centroids, per-kernel scales and uncompressed weights as "
                              "%2-bit codes")
            .arg(QString::fromStdString(format))
            .arg(bits);
    }
    return {};
}

QString comparedStageDescription(const StageAgreement& stage, const std::string& format)
{
    if (stage.activations)
        return QStringLiteral("weights in %1 and activations quantized (emulated LNS inference)")
            .arg(QString::fromStdString(format));
    switch (stage.weights) {
    case Stage::BatchNormFolded: return QStringLiteral("batch norms folded");
    case Stage::ClusterCompressed: return QStringLiteral("batch norms folded + cluster compression, float centroids");
    default: return QStringLiteral("+ weights in %1 (float activations)").arg(QString::fromStdString(format));
    }
}

const std::optional<Agreement>& agreementAt(const LayerReport& layer, int stage)
{
    static const std::optional<Agreement> none;
    return stage >= 0 && size_t(stage) < layer.agreement.size() ? layer.agreement[size_t(stage)] : none;
}

/// The SQNR of an agreement, or NaN when missing or undefined.
double sqnrOf(const std::optional<Agreement>& a)
{
    return a && a->defined ? a->sqnrDb : std::nan("");
}

double cosineOf(const std::optional<Agreement>& a)
{
    return a && a->defined ? a->cosine : std::nan("");
}

QVariant numberOrMissing(double v)
{
    return std::isnan(v) ? QVariant() : QVariant(v);
}

bool isNumeric(LayerTableModel::ColumnKind kind)
{
    using K = LayerTableModel::ColumnKind;
    return kind != K::Node && kind != K::Op && kind != K::Shape;
}

} // namespace

LayerTableModel::LayerTableModel(QObject* parent) : QAbstractTableModel(parent)
{
    buildColumns();
}

void LayerTableModel::setReport(const core::ConversionReport& report)
{
    beginResetModel();
    m_report = report;
    buildColumns();
    m_divergingRow = findDivergingRow();
    endResetModel();
}

void LayerTableModel::buildColumns()
{
    using K = ColumnKind;
    const QString format = QString::fromStdString(m_report.weightFormat);
    m_columns.clear();
    m_columns.push_back({K::Node, -1, QStringLiteral("node"),
                         QStringLiteral("Node name in the model. Sorting by this column restores graph order.")});
    m_columns.push_back({K::Op, -1, QStringLiteral("op"), QStringLiteral("ONNX operator of the layer.")});
    m_columns.push_back({K::Shape, -1, QStringLiteral("weight shape"),
                         QStringLiteral("Shape of the weight tensor (Conv: out × in/groups × kh × kw).")});
    m_columns.push_back({K::Parameters, -1, QStringLiteral("parameters"),
                         QStringLiteral("Weight elements of the layer (biases and batch-norm parameters not "
                                        "counted).")});
    m_columns.push_back({K::Clusters, -1, QStringLiteral("K"),
                         QStringLiteral("Centroids in the layer's codebook (K); – when the layer is kept "
                                        "uncompressed.")});
    m_columns.push_back({K::BitsPerWeight, -1, QStringLiteral("bits/weight"),
                         QStringLiteral("Stored bits per weight element at the %1 stage (indices, scales, LUT share, "
                                        "biases included).")
                             .arg(format.isEmpty() ? QStringLiteral("weight-format") : format)});
    for (size_t i = 0; i < m_report.budgets.size(); ++i) {
        const Stage stage = m_report.budgets[i].stage;
        const QString label = QString::fromStdString(core::stageLabel(stage, m_report.weightFormat));
        m_columns.push_back(
            {K::Bytes, int(i), label + QStringLiteral(" B"),
             QStringLiteral("Stored bytes of the layer at stage %1 (%2). A shared codebook's LUT is counted on the "
                            "first layer that reads it.")
                 .arg(label, storageStageDescription(stage, m_report.weightFormat, m_report.weightBits))});
    }
    for (size_t i = 0; i < m_report.stages.size(); ++i) {
        const StageAgreement& s = m_report.stages[i];
        const QString label = QString::fromStdString(s.label);
        m_columns.push_back(
            {K::Sqnr, int(i), QStringLiteral("SQNR ") + label,
             QStringLiteral("Output SQNR of the layer against the float32 model at stage %1 (%2), in dB: "
                            "20·log10(‖x‖/‖x − y‖). \"exact\": identical output; –: not compared or undefined "
                            "(all-zero reference).")
                 .arg(label, comparedStageDescription(s, m_report.weightFormat))});
    }
    if (!m_report.stages.empty()) {
        const QString label = QString::fromStdString(m_report.stages.back().label);
        m_columns.push_back({K::Cosine, int(m_report.stages.size()) - 1, QStringLiteral("cosine ") + label,
                             QStringLiteral("Cosine similarity of the layer output with float32 at stage %1 "
                                            "(1 = same direction; dimensionless).")
                                 .arg(label)});
    }
    bool anySensitivity = false;
    for (const LayerReport& l : m_report.layers)
        anySensitivity = anySensitivity || l.sensitivityDb.has_value();
    if (anySensitivity)
        m_columns.push_back({K::Sensitivity, -1, QStringLiteral("sensitivity dB"),
                             QStringLiteral("Model-output SQNR with only this layer converted to %1, in dB: the "
                                            "lower, the more the model depends on this layer's precision.")
                                 .arg(format)});
}

int LayerTableModel::findDivergingRow() const
{
    if (m_report.stages.empty())
        return -1;
    const StageAgreement& stage = m_report.stages.back();
    if (stage.firstDiverging < 0 || size_t(stage.firstDiverging) >= stage.layers.size())
        return -1;
    // A converted layer writes the diverging tensor (its output, or its folded batch norm's).
    // Otherwise the divergence shows first after a converted layer (an activation, an add): mark
    // the last converted layer before it in graph order, the one whose error it carries.
    for (int i = stage.firstDiverging; i >= 0; --i) {
        const std::string& tensor = stage.layers[size_t(i)].tensor;
        for (size_t r = 0; r < m_report.layers.size(); ++r)
            if (m_report.layers[r].tensor == tensor)
                return int(r);
    }
    return -1;
}

QString LayerTableModel::nodeAt(int row) const
{
    if (row < 0 || size_t(row) >= m_report.layers.size())
        return {};
    return QString::fromStdString(m_report.layers[size_t(row)].node);
}

int LayerTableModel::rowOf(const QString& node) const
{
    const std::string name = node.toStdString();
    for (size_t r = 0; r < m_report.layers.size(); ++r)
        if (m_report.layers[r].node == name)
            return int(r);
    return -1;
}

int LayerTableModel::columnOf(ColumnKind kind, int index) const
{
    for (size_t c = 0; c < m_columns.size(); ++c)
        if (m_columns[c].kind == kind && (index < 0 || m_columns[c].index == index))
            return int(c);
    return -1;
}

int LayerTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_report.layers.size());
}

int LayerTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_columns.size());
}

QString LayerTableModel::formatSqnr(double db)
{
    if (std::isnan(db))
        return kMissing;
    if (std::isinf(db))
        return db > 0 ? QStringLiteral("exact") : QStringLiteral("-∞");
    return QString::number(db, 'f', 1);
}

QVariant LayerTableModel::display(const LayerReport& l, const Column& column) const
{
    using K = ColumnKind;
    switch (column.kind) {
    case K::Node: return QString::fromStdString(l.node);
    case K::Op: return QString::fromStdString(l.op);
    case K::Shape: return shapeText(l.weightShape);
    case K::Parameters: return grouped(l.weights);
    case K::Clusters: return l.clustered ? grouped(l.clusters) : kMissing;
    case K::BitsPerWeight: return QString::number(l.bitsPerWeight, 'f', 2);
    case K::Bytes:
        return size_t(column.index) < l.bytes.size() ? grouped(l.bytes[size_t(column.index)]) : kMissing;
    case K::Sqnr: return formatSqnr(sqnrOf(agreementAt(l, column.index)));
    case K::Cosine: {
        const double c = cosineOf(agreementAt(l, column.index));
        return std::isnan(c) ? kMissing : QString::number(c, 'f', 5);
    }
    case K::Sensitivity: return l.sensitivityDb ? formatSqnr(*l.sensitivityDb) : kMissing;
    }
    return {};
}

QVariant LayerTableModel::sortValue(int row, const LayerReport& l, const Column& column) const
{
    using K = ColumnKind;
    switch (column.kind) {
    case K::Node: return row; // graph order
    case K::Op: return QString::fromStdString(l.op);
    case K::Shape:
    case K::Parameters: return qlonglong(l.weights);
    case K::Clusters: return l.clustered ? QVariant(qlonglong(l.clusters)) : QVariant();
    case K::BitsPerWeight: return l.bitsPerWeight;
    case K::Bytes:
        return size_t(column.index) < l.bytes.size() ? QVariant(qlonglong(l.bytes[size_t(column.index)])) : QVariant();
    case K::Sqnr: return numberOrMissing(sqnrOf(agreementAt(l, column.index)));
    case K::Cosine: return numberOrMissing(cosineOf(agreementAt(l, column.index)));
    case K::Sensitivity: return l.sensitivityDb ? numberOrMissing(*l.sensitivityDb) : QVariant();
    }
    return {};
}

QVariant LayerTableModel::cellToolTip(int row, const LayerReport& l, const Column& column) const
{
    if (column.kind == ColumnKind::Node) {
        QString tip = QString::fromStdString(l.node);
        if (row == m_divergingRow)
            tip += QStringLiteral("\nFirst layer below the divergence threshold at stage %1.")
                       .arg(QString::fromStdString(m_report.stages.back().label));
        return tip;
    }
    if (column.kind == ColumnKind::Sqnr || column.kind == ColumnKind::Cosine) {
        const std::optional<Agreement>& a = agreementAt(l, column.index);
        if (!a)
            return QStringLiteral("Not compared at this stage.");
        if (!a->note.empty())
            return QString::fromStdString(a->note);
    }
    return {};
}

QVariant LayerTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const LayerReport& l = m_report.layers[size_t(index.row())];
    const Column& column = m_columns[size_t(index.column())];
    const bool diverging = index.row() == m_divergingRow;
    switch (role) {
    case Qt::DisplayRole: return display(l, column);
    case SortRole: return sortValue(index.row(), l, column);
    case DivergingRole: return diverging;
    case Qt::ToolTipRole: return cellToolTip(index.row(), l, column);
    case Qt::TextAlignmentRole:
        return QVariant::fromValue(Qt::Alignment(isNumeric(column.kind) ? Qt::AlignRight | Qt::AlignVCenter
                                                                        : Qt::AlignLeft | Qt::AlignVCenter));
    case Qt::BackgroundRole: return diverging ? QVariant(QBrush(kDivergingBackground)) : QVariant();
    case Qt::FontRole: {
        if (!diverging)
            return {};
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    default: return {};
    }
}

QVariant LayerTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Vertical)
        return role == Qt::DisplayRole ? QVariant(section + 1) : QVariant();
    if (section < 0 || size_t(section) >= m_columns.size())
        return {};
    const Column& column = m_columns[size_t(section)];
    switch (role) {
    case Qt::DisplayRole: return column.header;
    case Qt::ToolTipRole: return column.toolTip;
    case Qt::TextAlignmentRole:
        return QVariant::fromValue(Qt::Alignment(isNumeric(column.kind) ? Qt::AlignRight | Qt::AlignVCenter
                                                                        : Qt::AlignLeft | Qt::AlignVCenter));
    default: return {};
    }
}

LayerSortProxyModel::LayerSortProxyModel(QObject* parent) : QSortFilterProxyModel(parent)
{
    setSortRole(LayerTableModel::SortRole);
}

bool LayerSortProxyModel::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    const bool leftMissing = !left.data(sortRole()).isValid();
    const bool rightMissing = !right.data(sortRole()).isValid();
    if (leftMissing || rightMissing) {
        // Descending order asks lessThan(right, left): answer so that missing ends last either way.
        if (leftMissing && rightMissing)
            return false;
        return sortOrder() == Qt::AscendingOrder ? rightMissing : leftMissing;
    }
    return QSortFilterProxyModel::lessThan(left, right);
}

} // namespace lnscope::widgets
