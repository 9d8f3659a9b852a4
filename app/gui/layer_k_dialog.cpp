#include "layer_k_dialog.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

namespace lnscope::app {

namespace {

QString shapeText(const core::Shape& s)
{
    return QStringLiteral("%1×%2×%3×%4").arg(s[0]).arg(s[1]).arg(s[2]).arg(s[3]);
}

} // namespace

LayerKDialog::LayerKDialog(const QString& modelName, std::vector<CompressibleLayer> layers, int globalK,
                           const std::map<std::string, int>& overrides, QWidget* parent)
    : QDialog(parent), m_layers(std::move(layers))
{
    setWindowTitle(tr("Per-layer K — %1 model").arg(modelName));
    auto* intro = new QLabel(tr("Centroids K per compressed layer. <i>global</i> uses the global K (%1); "
                                "a layer never gets more centroids than it has kernels.")
                                 .arg(globalK));
    intro->setWordWrap(true);
    m_table = new QTableWidget(int(m_layers.size()), 4);
    m_table->setHorizontalHeaderLabels({tr("Layer"), tr("Weight"), tr("Kernels"), tr("K")});
    m_table->verticalHeader()->hide();
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    for (size_t i = 0; i < m_layers.size(); ++i) {
        const CompressibleLayer& l = m_layers[i];
        const int row = int(i);
        m_table->setItem(row, 0, new QTableWidgetItem(QString::fromStdString(l.node)));
        m_table->setItem(row, 1, new QTableWidgetItem(shapeText(l.weight)));
        auto* kernels = new QTableWidgetItem(QString::number(l.kernels()));
        kernels->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_table->setItem(row, 2, kernels);
        auto* spin = new QSpinBox;
        spin->setRange(0, 65536);
        spin->setSpecialValueText(tr("global"));
        spin->setAccelerated(true);
        const auto k = overrides.find(l.node);
        spin->setValue(k == overrides.end() ? 0 : k->second);
        m_table->setCellWidget(row, 3, spin);
        m_spins.push_back(spin);
    }
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    for (int c = 1; c < 4; ++c)
        m_table->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    QPushButton* reset = buttons->addButton(tr("All global"), QDialogButtonBox::ResetRole);
    connect(reset, &QPushButton::clicked, this, &LayerKDialog::resetAll);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_table, 1);
    layout->addWidget(buttons);
    resize(640, 420);
}

std::map<std::string, int> LayerKDialog::overrides() const
{
    std::map<std::string, int> result;
    for (size_t i = 0; i < m_layers.size(); ++i)
        if (m_spins[i]->value() > 0)
            result[m_layers[i].node] = m_spins[i]->value();
    return result;
}

bool LayerKDialog::setK(const std::string& node, int k)
{
    for (size_t i = 0; i < m_layers.size(); ++i)
        if (m_layers[i].node == node) {
            m_spins[i]->setValue(k);
            return true;
        }
    return false;
}

void LayerKDialog::resetAll()
{
    for (QSpinBox* spin : m_spins)
        spin->setValue(0);
}

std::map<std::string, int> LayerKDialog::merge(const std::map<std::string, int>& clustersPerLayer,
                                               const std::vector<CompressibleLayer>& layers,
                                               const std::map<std::string, int>& overrides)
{
    std::map<std::string, int> result = clustersPerLayer;
    for (const CompressibleLayer& l : layers)
        result.erase(l.node);
    for (const auto& [node, k] : overrides)
        result[node] = k;
    return result;
}

} // namespace lnscope::app
