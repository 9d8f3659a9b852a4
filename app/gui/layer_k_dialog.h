#pragma once
// Per-layer K: a table of one model's compressible layers (name, weight shape, kernel count) with
// a K spin box each. 0 ("global") means no override: the layer takes the global K. The dialog
// edits only the entries of the layers it lists; overrides of other nodes (the other model's)
// are left to the caller.

#include "workbench.h"

#include <QDialog>

#include <map>
#include <string>
#include <vector>

class QSpinBox;
class QTableWidget;

namespace lnscope::app {

class LayerKDialog : public QDialog
{
    Q_OBJECT
public:
    /// `overrides` may hold nodes that are not in `layers` (they are ignored here).
    LayerKDialog(const QString& modelName, std::vector<CompressibleLayer> layers, int globalK,
                 const std::map<std::string, int>& overrides, QWidget* parent = nullptr);

    /// The overrides of the listed layers (K ≥ 1), by node name.
    std::map<std::string, int> overrides() const;
    /// Sets the K of the listed layer `node` (0: the global K). For tests and scripting.
    bool setK(const std::string& node, int k);
    /// Back to the global K for every layer.
    void resetAll();
    const std::vector<CompressibleLayer>& layers() const { return m_layers; }

    /// clustersPerLayer with the entries of `layers` replaced by `overrides` (others kept).
    static std::map<std::string, int> merge(const std::map<std::string, int>& clustersPerLayer,
                                            const std::vector<CompressibleLayer>& layers,
                                            const std::map<std::string, int>& overrides);

private:
    std::vector<CompressibleLayer> m_layers;
    QTableWidget* m_table;
    std::vector<QSpinBox*> m_spins;
};

} // namespace lnscope::app
