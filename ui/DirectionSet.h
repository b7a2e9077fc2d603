#pragma once

#include <cstdint>
#include <memory>

#include <QImage>
#include <QString>
#include <QVector>

namespace latentlens {
struct PullbackBasis;
}

namespace latentlens::ui {

// One card of the directions grid: the direction v_i as a picture (diverging colours, its own
// scale) and the image edited to −α and +α along it.
struct DirectionCardImages {
    QImage direction;
    QImage minus;
    QImage plus;
    double sigma = 0.0;
    // In a set that follows an earlier one (DirectionSet::followedTimestep): the direction of the
    // earlier set this one continues (-1: none was close, see DirectionMatch) and |cos| between them.
    int continues = -1;
    double continuesCosine = 0.0;
    // -1: minus and plus show this direction. In a live set: the timestep whose pictures of the
    // direction continued they still are (null for a new direction) until the set is refined.
    int editsTimestep = -1;
};

// The pullback basis found at one x_t (an image at one timestep) and the pictures of its cards.
// Immutable once made by ModelWorker; views share it through std::shared_ptr<const DirectionSet>,
// so undo and redo bring back exactly the same basis.
struct DirectionSet {
    // Slider range ±kAlphaMax and the cards' ±α, in core editUnit's unit (‖x_t‖/20): on the
    // default model at t = 600, α = ±1 is a visible but sane edit and ±3 changes the garment.
    static constexpr double kAlphaMax = 5.0;
    static constexpr double kThumbnailAlpha = 3.0;

    std::shared_ptr<const PullbackBasis> basis;
    uint64_t imageId = 0;  // the LatentState image and timestep the basis belongs to
    int timestep = -1;
    double thumbnailAlpha = 0.0;  // the ±α of the cards' edited images
    QString block;                // "mid", "down.1", ...
    QString method;               // "krylov" or "power"
    qint64 products = 0;          // Jacobian-vector products spent
    double worstResidual = 0.0;
    bool converged = false;
    double seconds = 0.0;  // solver wall time
    // Local-edit directions (a masked posterior-mean basis): the painted fraction of the image and
    // the outside directions projected off; maskCoverage < 0 for the pullback directions.
    double maskCoverage = -1.0;
    int nullRank = 0;
    // -1: a search of its own; otherwise the timestep of the set this one was recomputed from (warm
    // start, directions matched to that set's and signed like them).
    int followedTimestep = -1;
    // A followed set solved roughly only (BasisOptions::liveUpdate), its cards' edit pictures
    // still those of the directions they continue (none for a new one); a refined set replaces it.
    bool live = false;
    QVector<DirectionCardImages> cards;

    int count() const { return static_cast<int>(cards.size()); }
    bool isFollowed() const { return followedTimestep >= 0; }
    // How many cards do not continue the direction of the same number in the set followed.
    int rematchedCount() const {
        int count = 0;
        for (int i = 0; i < this->count(); ++i) count += isFollowed() && cards[i].continues != i ? 1 : 0;
        return count;
    }
};

// What "find directions" asks for (the Directions panel's controls).
struct DirectionRequest {
    int k = 10;
    QString block = QStringLiteral("mid");
    QString method = QStringLiteral("krylov");
    double tolerance = 1e-3;
    qint64 maxProducts = 0;  // 0: the solver's automatic budget
    // Local edit (LOCO Edit): directions of the predicted x0 inside this mask (Grayscale8 of the
    // image's size, white = edit), off the outside's top nullRank directions; null: the pullback
    // directions of `block`.
    QImage mask;
    int nullRank = 5;
};

}  // namespace latentlens::ui
